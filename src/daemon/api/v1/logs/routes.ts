/**
 * Execution history: `GET /v1/logs` pages through events newest first; `GET /v1/logs/stream`
 * follows new ones as Server-Sent Events (`area logs --follow`). Both only ever show the
 * caller's events; naming another user's AREA is a 404 like naming a missing one.
 */
import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { defaultPageSize, problemResponses } from '../../../../contract/common.js'
import { LogStreamQuery, LogsAnswer, LogsQuery } from '../../../../contract/logs.js'
import { AreaError, errorMessage } from '../../../../engine/errors.js'
import { logFollower } from '../../../../features/areas/follow-logs.js'
import { listLogs } from '../../../../features/areas/logs.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'
import { eventLogView, logPageView } from '../../views/logs.js'

export interface LogRouteOptions extends RouteOptions {
  /** How often a stream polls the database (default 500 ms). */
  streamPollMs?: number
  /** How often a quiet stream sends a comment, so proxies keep it open (default 15 s). */
  streamHeartbeatMs?: number
}

export const logRoutes: FastifyPluginAsyncTypebox<LogRouteOptions> = async (app, options) => {
  const { ctx } = options
  // Open streams, ended when the server closes: an SSE response never finishes by itself.
  const streams = new Set<AbortController>()
  // Each open stream polls the database: AREA_MAX_LOG_STREAMS_PER_USER per user and process.
  const openPerUser = new Map<string, number>()
  const maxPerUser = ctx.config.limits.maxLogStreamsPerUser
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.abort()
  })

  app.get(
    '/logs',
    {
      schema: {
        summary: 'Events newest first, each with its reactions’ executions',
        tags: ['logs'],
        querystring: LogsQuery,
        response: { 200: LogsAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const { limit = defaultPageSize, ...query } = request.query
      return logPageView(await listLogs(ctx, authOf(request).userId, { ...query, limit }), ctx.config.retry)
    },
  )

  app.get(
    '/logs/stream',
    {
      schema: {
        summary: 'New and changed events as Server-Sent Events (event: log, data: one event as in /v1/logs)',
        tags: ['logs'],
        querystring: LogStreamQuery,
        produces: ['text/event-stream'],
        response: { ...problemResponses },
      },
    },
    async (request, reply) => {
      // Everything that can fail with a problem answer happens before the stream starts.
      const { userId } = authOf(request)
      if ((openPerUser.get(userId) ?? 0) >= maxPerUser) {
        reply.header('retry-after', '30')
        throw new AreaError(
          'too_many_requests',
          `you have ${maxPerUser} log streams open, the most this server allows per user (AREA_MAX_LOG_STREAMS_PER_USER): close one (another area logs --follow) and try again`,
        )
      }
      // Counted from here, before any await, so concurrent requests cannot all slip under it.
      openPerUser.set(userId, (openPerUser.get(userId) ?? 0) + 1)
      const release = () => {
        const left = (openPerUser.get(userId) ?? 1) - 1
        if (left > 0) openPerUser.set(userId, left)
        else openPerUser.delete(userId)
      }
      let follow: Awaited<ReturnType<typeof logFollower>>
      try {
        follow = await logFollower(ctx, userId, request.query)
      } catch (error) {
        release()
        throw error
      }
      const controller = new AbortController()
      streams.add(controller)
      reply.hijack()
      const res = reply.raw
      res.on('close', () => controller.abort())
      // The headers hooks set (x-request-id, x-area-version) go out with the raw answer too.
      res.writeHead(200, {
        // Headers hooks set on every answer (reply.header) are kept on the hijacked one.
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and similar proxies buffer responses unless told not to.
        'x-accel-buffering': 'no',
      })
      res.write('retry: 2000\n: following events\n\n')
      try {
        await follow({
          signal: controller.signal,
          pollIntervalMs: options.streamPollMs,
          heartbeatMs: options.streamHeartbeatMs,
          send: (event) =>
            res.write(
              `event: log\nid: ${event.id}\ndata: ${JSON.stringify(eventLogView(event, ctx.config.retry))}\n\n`,
            ),
          heartbeat: () => res.write(': heartbeat\n\n'),
        })
      } catch (error) {
        if (!controller.signal.aborted) request.log.error({ err: errorMessage(error) }, 'log stream failed')
      } finally {
        streams.delete(controller)
        release()
        res.end()
      }
    },
  )
}
