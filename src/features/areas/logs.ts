/**
 * Execution history (`area logs`): the caller's events newest first, or followed as they come
 * (follow-logs.ts). Naming another user's AREA is AreaNotFoundError, like naming a missing one.
 */
import { ValidationError } from '../../engine/errors.js'
import { parseSince, SinceError } from '../../lib/since.js'
import { findAreaId } from '../../store/area-queries.js'
import { AreaNotFoundError } from '../../store/errors.js'
import { type EventEntry, type LogFilter, type LogStatus, listEventLogs } from '../../store/logs.js'
import type { FeatureContext } from '../context.js'
import { decodeLogCursor, encodeLogCursor } from './cursor.js'

type LogsContext = Pick<FeatureContext, 'store'>

export interface LogQuery {
  /** An AREA name. */
  area?: string | undefined
  status?: LogStatus | undefined
}

/** The caller's events, of one AREA and with one status when asked. */
export async function logFilter(ctx: LogsContext, userId: string, query: LogQuery): Promise<LogFilter> {
  const filter: LogFilter = { userId }
  if (query.area !== undefined) {
    const areaId = await findAreaId(ctx.store.db, userId, query.area)
    if (!areaId) throw new AreaNotFoundError(query.area)
    filter.areaId = areaId
  }
  if (query.status !== undefined) filter.status = query.status
  return filter
}

export interface LogPageQuery extends LogQuery {
  /** `1h`, `30m`, `7d` (that long ago), or an ISO 8601 time. */
  since?: string | undefined
  /** The previous page's `nextCursor`. */
  cursor?: string | undefined
  limit: number
}

/** One page, newest first; `nextCursor` is set when more follow. */
export async function listLogs(
  ctx: LogsContext,
  userId: string,
  query: LogPageQuery,
): Promise<{ items: EventEntry[]; nextCursor: string | null }> {
  const filter = await logFilter(ctx, userId, query)
  if (query.since !== undefined) filter.since = sinceOf(query.since)
  const { cursor } = query
  const page = await listEventLogs(ctx.store.db, filter, {
    before: cursor === undefined ? undefined : decodeLogCursor(cursor),
    limit: query.limit,
  })
  return { items: page.items, nextCursor: page.next ? encodeLogCursor(page.next) : null }
}

/** `since` as the API reads it (src/lib/since.ts, shared with `--since`); a bad one is a 400. */
function sinceOf(text: string): Date {
  try {
    return parseSince(text)
  } catch (error) {
    if (!(error instanceof SinceError)) throw error
    throw new ValidationError([{ path: '/query/since', message: error.message }])
  }
}
