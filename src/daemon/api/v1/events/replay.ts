/**
 * `POST /v1/events/:id/replay` and `POST /v1/replays` (`area replay`): run finished events again
 * (docs/architecture.md, "Replay"). Another user's event is a 404 like a missing one, and a
 * filter only ever selects the caller's events.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../../../contract/common.js'
import { EventIdParams } from '../../../../contract/logs.js'
import { ReplayAnswer, ReplayEventBody, ReplaysBody } from '../../../../contract/replays.js'
import { replayEvent, replayEvents } from '../../../../features/replay/replay.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'

export const replayRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/events/:id/replay',
    {
      schema: {
        summary:
          'Run one finished event again: reactions that succeeded are skipped, the others keep their keys',
        tags: ['logs'],
        params: EventIdParams,
        body: ReplayEventBody,
        response: { 200: ReplayAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const body = request.body ?? {}
      return replayEvent(
        ctx,
        authOf(request).userId,
        request.params.id,
        { revision: body.revision ?? 'current', dryRun: body.dryRun ?? false },
        request.log,
      )
    },
  )

  app.post(
    '/replays',
    {
      schema: {
        summary: 'Run the finished events a filter selects again (at most AREA_MAX_REPLAY_EVENTS)',
        tags: ['logs'],
        body: ReplaysBody,
        response: { 200: ReplayAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const body = request.body ?? {}
      return replayEvents(
        ctx,
        authOf(request).userId,
        { area: body.area, status: body.status, since: body.since, limit: body.limit },
        { revision: body.revision ?? 'current', dryRun: body.dryRun ?? false },
        request.log,
      )
    },
  )
}
