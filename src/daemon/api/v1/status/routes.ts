/**
 * `GET /v1/status`: the caller's account at a glance (`area status`), and the queue as this API
 * process sees it: reachable or not, and its job counts (every account's, without their content).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import { problemResponses } from '../../../../contract/common.js'
import { StatusAnswer } from '../../../../contract/status.js'
import { errorMessage } from '../../../../engine/errors.js'
import { accountCounts } from '../../../../store/account-status.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'

type Queue = Static<typeof StatusAnswer>['queue']

export const statusRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/status',
    {
      schema: {
        summary:
          'Your account at a glance: AREAs, failing AREAs, events of the last 24 h, connections, queue',
        tags: ['status'],
        response: { 200: StatusAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const queueState = async (): Promise<Queue> => {
        const { kind } = ctx.queue
        try {
          // A queue that does not answer within 2 s is reported, not waited for.
          const { waiting, active, delayed, failed } = await Promise.race([
            ctx.queue.jobs.counts(),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error('no answer within 2 s')), 2_000).unref(),
            ),
          ])
          return { kind, status: 'ok', jobs: { waiting, active, delayed, failed } }
        } catch (error) {
          request.log.warn({ err: errorMessage(error) }, 'status: the queue did not answer')
          return { kind, status: 'unreachable' }
        }
      }
      const [counts, queue] = await Promise.all([
        accountCounts(ctx.store.db, authOf(request).userId),
        queueState(),
      ])
      return { ...counts, queue }
    },
  )
}
