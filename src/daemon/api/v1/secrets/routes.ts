/**
 * User secrets: list (names and dates), set by name (PUT creates or replaces), remove. No route
 * ever answers a value; another user's secret is a 404 like a missing one. The use cases are in
 * src/features/secrets/.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { page, problemResponses } from '../../../../contract/common.js'
import { PutSecretBody, SecretNameParams, SecretSchema } from '../../../../contract/secrets.js'
import { listSecrets, removeSecret, setSecret } from '../../../../features/secrets/secrets.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'
import { secretView } from '../../views/secrets.js'

export const secretRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/secrets',
    {
      schema: {
        summary: 'Your secrets: names and dates, never the values',
        tags: ['secrets'],
        response: { 200: page(SecretSchema), ...problemResponses },
      },
    },
    // At most AREA_MAX_SECRETS_PER_USER: one page.
    async (request) => ({
      items: (await listSecrets(ctx, authOf(request).userId)).map(secretView),
      nextCursor: null,
    }),
  )

  app.put(
    '/secrets/:name',
    {
      schema: {
        summary:
          'Set a secret: created (201) or its value replaced (200); AREAs read it as {{ secrets.NAME }}',
        tags: ['secrets'],
        params: SecretNameParams,
        body: PutSecretBody,
        response: { 200: SecretSchema, 201: SecretSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { created, secret } = await setSecret(
        ctx,
        authOf(request).userId,
        request.params.name,
        request.body.value,
      )
      return reply.code(created ? 201 : 200).send(secretView(secret))
    },
  )

  app.delete(
    '/secrets/:name',
    {
      schema: {
        summary: 'Remove a secret; AREAs that read it fail on their next run, naming it',
        tags: ['secrets'],
        params: SecretNameParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await removeSecret(ctx, authOf(request).userId, request.params.name)
      return reply.code(204).send(null)
    },
  )
}
