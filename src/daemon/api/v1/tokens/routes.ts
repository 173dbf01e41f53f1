/** API tokens for the CLI and CI: create (shown once), list (never the token), revoke by name. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  CreatedTokenAnswer,
  CreateTokenBody,
  TokenInfoSchema,
  TokenNameParams,
} from '../../../../contract/auth.js'
import { page, problemResponses } from '../../../../contract/common.js'
import { createToken, listTokens, revokeToken } from '../../../../features/accounts/tokens.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'
import { createdTokenView, tokenView } from '../../views/accounts.js'

export const tokenRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/tokens',
    {
      schema: {
        summary: 'Create an API token; the answer is the only time it is shown',
        tags: ['tokens'],
        body: CreateTokenBody,
        response: { 201: CreatedTokenAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await createToken(ctx, authOf(request).userId, request.body)
      return reply.code(201).send(createdTokenView(created))
    },
  )

  app.get(
    '/tokens',
    {
      schema: {
        summary: 'Your live tokens (never the tokens themselves)',
        tags: ['tokens'],
        response: { 200: page(TokenInfoSchema), ...problemResponses },
      },
    },
    async (request) => {
      const caller = authOf(request)
      const tokens = await listTokens(ctx, caller.userId)
      // A handful per user: one page.
      return { items: tokens.map((t) => tokenView(t, caller.tokenId)), nextCursor: null }
    },
  )

  app.delete(
    '/tokens/:name',
    {
      schema: {
        summary: 'Revoke a token by name',
        tags: ['tokens'],
        params: TokenNameParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await revokeToken(ctx, authOf(request).userId, request.params.name)
      return reply.code(204).send(null)
    },
  )
}
