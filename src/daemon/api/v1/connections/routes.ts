/**
 * Connections: list (never the credentials), add the fields a service declares, replace them in
 * place (PUT), remove (refused
 * while an AREA uses it), and start an OAuth 2 authorization. The provider sends the browser
 * back to callback.ts, outside the bearer-token scope. The use cases are in
 * src/features/connections/.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { page, problemResponses } from '../../../../contract/common.js'
import {
  AuthorizeAnswer,
  AuthorizeQuery,
  ConnectionNameParams,
  ConnectionSchema,
  CreateConnectionBody,
  ServiceParams,
  UpdateConnectionBody,
} from '../../../../contract/connections.js'
import { startAuthorization } from '../../../../features/connections/authorize.js'
import {
  addConnection,
  listConnections,
  removeConnection,
  updateConnection,
} from '../../../../features/connections/connections.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'
import { connectionView } from '../../views/connections.js'

export const connectionRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/connections',
    {
      schema: {
        summary: 'Your connections: service, kind and status, never the credentials',
        tags: ['connections'],
        response: { 200: page(ConnectionSchema), ...problemResponses },
      },
    },
    // A handful per user: one page.
    async (request) => ({
      items: (await listConnections(ctx, authOf(request).userId)).map(connectionView),
      nextCursor: null,
    }),
  )

  app.post(
    '/connections',
    {
      schema: {
        summary: 'Add a connection holding the credentials its service declares (a token, SMTP settings…)',
        tags: ['connections'],
        body: CreateConnectionBody,
        response: { 201: ConnectionSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await addConnection(ctx, authOf(request).userId, request.body)
      return reply.code(201).send(connectionView(created))
    },
  )

  app.put(
    '/connections/:name',
    {
      schema: {
        summary: 'Replace the credentials of a connection in place; the AREAs using it keep it',
        tags: ['connections'],
        params: ConnectionNameParams,
        body: UpdateConnectionBody,
        response: { 200: ConnectionSchema, ...problemResponses },
      },
    },
    async (request) =>
      connectionView(await updateConnection(ctx, authOf(request).userId, request.params.name, request.body)),
  )

  app.delete(
    '/connections/:name',
    {
      schema: {
        summary: 'Remove a connection no AREA uses',
        tags: ['connections'],
        params: ConnectionNameParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await removeConnection(ctx, authOf(request).userId, request.params.name)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/connections/:service/authorize',
    {
      schema: {
        summary: 'Start an OAuth 2 connection: the URL to open in a browser (authorization code + PKCE)',
        tags: ['connections'],
        params: ServiceParams,
        querystring: AuthorizeQuery,
        response: { 200: AuthorizeAnswer, ...problemResponses },
      },
    },
    (request) => startAuthorization(ctx, authOf(request).userId, request.params.service, request.query.name),
  )
}
