/**
 * The OAuth 2 redirect target, hit by the user's browser sent back by the provider: no bearer
 * token, the sealed state proves who (src/features/connections/authorize.ts). Answers a page.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { CallbackQuery, ServiceParams } from '../../../../contract/connections.js'
import { completeAuthorization } from '../../../../features/connections/authorize.js'
import type { RouteOptions } from '../../route-types.js'
import { callbackPage } from '../../views/connections.js'

export const connectionCallbackRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/connections/:service/callback',
    {
      schema: {
        summary: 'OAuth 2 redirect target: exchanges the code and stores the tokens (an HTML page)',
        tags: ['connections'],
        params: ServiceParams,
        querystring: CallbackQuery,
        produces: ['text/html'],
        response: { 200: Type.String(), '4xx': Type.String(), '5xx': Type.String() },
      },
    },
    async (request, reply) => {
      const outcome = await completeAuthorization(ctx, request.params.service, request.query)
      if (outcome.failure) {
        request.log.warn(
          { service: outcome.failure.service, err: { message: outcome.failure.message } },
          'oauth callback failed',
        )
      }
      return reply
        .code(outcome.status)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .type('text/html; charset=utf-8')
        .send(callbackPage(outcome.ok, outcome.message))
    },
  )
}
