/**
 * Execution history: `GET /v1/logs` pages through events newest first; `GET /v1/logs/stream`
 * follows new ones as Server-Sent Events (`area logs --follow`). Both only ever show the
 * caller's events; naming another user's AREA is a 404 like naming a missing one.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { defaultPageSize, problemResponses } from '../../../contract/common.js'
import { LogStreamQuery, LogsAnswer, LogsQuery } from '../../../contract/logs.js'
import { parseDuration } from '../../../engine/duration.js'
import { errorMessage, ValidationError } from '../../../engine/errors.js'
import { findAreaId } from '../../../store/area-queries.js'
import { AreaNotFoundError } from '../../../store/errors.js'
import { databaseNow, type LogFilter, type LogStatus, listEventLogs } from '../../../store/logs.js'
import type { DaemonContext } from '../../context.js'
import { decodeLogCursor, encodeLogCursor } from '../cursor.js'
import { followEventLogs } from '../log-follow.js'
import { authOf } from '../plugins/auth.js'
import { eventLogView } from '../views.js'
import type { RouteOptions } from './auth.js'

export interface LogRouteOptions extends RouteOptions {
  /** How often a stream polls the database (default 500 ms). */
  streamPollMs?: number
  /** How often a quiet stream sends a comment, so proxies keep it open (default 15 s). */
  streamHeartbeatMs?: number
}

export const logRoutes: FastifyPluginAsyncTypebox<LogRouteOptions> = async (app, options) => {
  const { ctx } = options
  const db = ctx.store.db
  // Open streams, ended when the server closes: an SSE response never finishes by itself.
  const streams = new Set<AbortController>()
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
      const { cursor, limit = defaultPageSize, since } = request.query
      const filter = await filterOf(ctx, request, request.query)
      if (since !== undefined) filter.since = parseSince(since)
      const page = await listEventLogs(db, filter, {
        before: cursor === undefined ? undefined : decodeLogCursor(cursor),
        limit,
      })
      return {
        items: page.items.map(eventLogView),
        nextCursor: page.next ? encodeLogCursor(page.next) : null,
      }
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
      const filter = await filterOf(ctx, request, request.query)
      const from = await databaseNow(db)
      const controller = new AbortController()
      streams.add(controller)
      reply.hijack()
      const res = reply.raw
      res.on('close', () => controller.abort())
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and similar proxies buffer responses unless told not to.
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      })
      res.write('retry: 2000\n: following events\n\n')
      try {
        await followEventLogs({
          db,
          filter,
          from,
          signal: controller.signal,
          pollIntervalMs: options.streamPollMs,
          heartbeatMs: options.streamHeartbeatMs,
          send: (event) =>
            res.write(`event: log\nid: ${event.id}\ndata: ${JSON.stringify(eventLogView(event))}\n\n`),
          heartbeat: () => res.write(': heartbeat\n\n'),
        })
      } catch (error) {
        if (!controller.signal.aborted) request.log.error({ err: errorMessage(error) }, 'log stream failed')
      } finally {
        streams.delete(controller)
        res.end()
      }
    },
  )
}

async function filterOf(
  ctx: DaemonContext,
  request: FastifyRequest,
  query: { area?: string; status?: LogStatus },
): Promise<LogFilter> {
  const { userId } = authOf(request)
  const filter: LogFilter = { userId }
  if (query.area !== undefined) {
    const areaId = await findAreaId(ctx.store.db, userId, query.area)
    if (!areaId) throw new AreaNotFoundError(query.area)
    filter.areaId = areaId
  }
  if (query.status !== undefined) filter.status = query.status
  return filter
}

/** `1h`, `30m`, `7d`: that long ago; otherwise an ISO 8601 time. */
export function parseSince(text: string, now = Date.now()): Date {
  try {
    return new Date(now - parseDuration(text) * 1000)
  } catch {
    const time = Date.parse(text)
    if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(time)) return new Date(time)
    throw new ValidationError([
      {
        path: '/query/since',
        message: 'must be a duration (30m, 1h, 7d) or an ISO 8601 time (2025-01-31T09:00:00Z)',
      },
    ])
  }
}
