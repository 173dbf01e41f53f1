/**
 * `GET /v1/events/:id`: one event in full (`area logs <event-id>`): its payload, and each
 * reaction's rendered params (secrets as `<secret:FINGERPRINT>`) and output. Another user's
 * event is a 404 like a missing one.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../../../contract/common.js'
import { EventDetailSchema, EventIdParams } from '../../../../contract/logs.js'
import { AreaError } from '../../../../engine/errors.js'
import { findEventDetail } from '../../../../store/event-detail.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'
import { eventDetailView } from '../../views/logs.js'

export const eventRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/events/:id',
    {
      schema: {
        summary: 'One event with its payload and each reaction’s params and output',
        tags: ['logs'],
        params: EventIdParams,
        response: { 200: EventDetailSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { id } = request.params
      const event = await findEventDetail(ctx.store.db, authOf(request).userId, id)
      if (!event) {
        throw new AreaError('not_found', `no event with id ${id}: see the ids with \`area logs --json\``)
      }
      return eventDetailView(event, ctx.config.retry)
    },
  )
}
