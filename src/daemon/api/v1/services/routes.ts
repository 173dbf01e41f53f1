/** The catalog: every service, and one service with its credentials, actions and reactions. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { page, problemResponses } from '../../../../contract/common.js'
import { ServiceDetailsSchema, ServiceParams, ServiceSummarySchema } from '../../../../contract/services.js'
import { AreaError } from '../../../../engine/errors.js'
import type { RouteOptions } from '../../route-types.js'
import { serviceDetailsView, serviceSummaryView } from '../../views/services.js'

export const serviceRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/services',
    {
      schema: {
        summary: 'Every service with its actions and reactions',
        tags: ['catalog'],
        response: { 200: page(ServiceSummarySchema), ...problemResponses },
      },
    },
    async () => ({ items: ctx.registry.services.map(serviceSummaryView), nextCursor: null }),
  )

  app.get(
    '/services/:service',
    {
      schema: {
        summary: 'One service: actions (triggers, params, example event) and reactions (params)',
        tags: ['catalog'],
        params: ServiceParams,
        response: { 200: ServiceDetailsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const service = ctx.registry.service(request.params.service)
      if (!service) {
        const known = ctx.registry.services.map((s) => s.id).join(', ')
        throw new AreaError(
          'service_not_found',
          `no service "${request.params.service}" (services: ${known})`,
        )
      }
      return serviceDetailsView(service, ctx.engine.settingsFor(service.id))
    },
  )
}
