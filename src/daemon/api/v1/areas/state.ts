/** Acting on one AREA: enable, disable, and `area run` (fire it now with a given event). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AreaNameParams, RunAnswer, RunBody, StateAnswer } from '../../../contract/areas.js'
import { problemResponses } from '../../../contract/common.js'
import { errorMessage } from '../../../engine/errors.js'
import type { JsonObject } from '../../../engine/types.js'
import { setAreaEnabled } from '../../../store/areas.js'
import { findAreaTrigger, recordManualEvent } from '../../../store/manual-events.js'
import { authOf } from '../plugins/auth.js'
import { areaDetailsOrThrow } from './areas.js'
import type { RouteOptions } from './auth.js'

export const areaStateRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  const db = ctx.store.db

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(
      `/areas/:name/${verb}`,
      {
        schema: {
          summary: enabled ? 'Turn an AREA on' : 'Turn an AREA off: its trigger stops firing',
          tags: ['areas'],
          params: AreaNameParams,
          response: { 200: StateAnswer, ...problemResponses },
        },
      },
      async (request) => {
        const { userId } = authOf(request)
        const { outcome } = await setAreaEnabled(db, userId, request.params.name, enabled)
        return { outcome, area: await areaDetailsOrThrow(ctx, userId, request.params.name) }
      },
    )
  }

  app.post(
    '/areas/:name/run',
    {
      schema: {
        summary: "Fire an AREA now with an event (default: the action's example event)",
        tags: ['areas'],
        params: AreaNameParams,
        body: RunBody,
        response: { 202: RunAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { userId } = authOf(request)
      const trigger = await findAreaTrigger(db, userId, request.params.name)
      const event =
        (request.body?.event as JsonObject | undefined) ??
        ctx.registry.action(trigger.service, trigger.action)?.exampleEvent ??
        {}
      // Committed first (Postgres is the outbox): if the enqueue fails, the sweeper enqueues it.
      const recorded = await recordManualEvent(db, { userId, ...trigger, event })
      try {
        await ctx.queue.jobs.enqueueExecutions([
          { hookLogId: recorded.hookLogId, areaActionId: recorded.areaActionId },
        ])
      } catch (error) {
        request.log.warn(
          { hookLogId: recorded.hookLogId, err: errorMessage(error) },
          'could not enqueue a manual run',
        )
      }
      return reply.code(202).send({ hookLogId: recorded.hookLogId, deliveryId: recorded.deliveryId })
    },
  )
}
