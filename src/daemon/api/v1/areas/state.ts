/** Acting on one AREA: enable, disable, and `area run` (fire it now with a given event). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AreaNameParams, EnableBody, RunAnswer, RunBody, StateAnswer } from '../../../../contract/areas.js'
import { problemResponses } from '../../../../contract/common.js'
import type { JsonObject } from '../../../../engine/types.js'
import { runArea, setEnabled } from '../../../../features/areas/state.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'
import { withAreaView } from '../../views/areas.js'

export const areaStateRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/areas/:name/enable',
    {
      schema: {
        summary: 'Turn an AREA on (catch_up: true also fires the slots missed while it was off)',
        tags: ['areas'],
        params: AreaNameParams,
        body: EnableBody,
        response: { 200: StateAnswer, ...problemResponses },
      },
    },
    async (request) =>
      withAreaView(
        await setEnabled(ctx, authOf(request).userId, request.params.name, true, {
          catchUp: request.body?.catch_up === true,
        }),
        ctx,
      ),
  )

  app.post(
    '/areas/:name/disable',
    {
      schema: {
        summary: 'Turn an AREA off: its trigger stops firing',
        tags: ['areas'],
        params: AreaNameParams,
        response: { 200: StateAnswer, ...problemResponses },
      },
    },
    async (request) =>
      withAreaView(await setEnabled(ctx, authOf(request).userId, request.params.name, false), ctx),
  )

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
      const run = await runArea(ctx, {
        userId: authOf(request).userId,
        name: request.params.name,
        event: request.body?.event as JsonObject | undefined,
        log: request.log,
      })
      return reply.code(202).send(run)
    },
  )
}
