/**
 * Execution history (`area logs`): the caller's events newest first, or followed as they come
 * (follow-logs.ts). Naming another user's AREA is AreaNotFoundError, like naming a missing one.
 */
import { parseDuration } from '../../engine/duration.js'
import { ValidationError } from '../../engine/errors.js'
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
  if (query.since !== undefined) filter.since = parseSince(query.since)
  const { cursor } = query
  const page = await listEventLogs(ctx.store.db, filter, {
    before: cursor === undefined ? undefined : decodeLogCursor(cursor),
    limit: query.limit,
  })
  return { items: page.items, nextCursor: page.next ? encodeLogCursor(page.next) : null }
}

/** The earliest `since` accepted: nothing is older than the Unix epoch, and Postgres takes it. */
const EARLIEST_SINCE = Date.UTC(1970, 0, 1)
/** The latest: a date some way ahead is an empty page, not an error; past year 9999 is nonsense. */
const LATEST_SINCE = Date.UTC(9999, 11, 31, 23, 59, 59)

/**
 * `1h`, `30m`, `7d`: that long ago; otherwise an ISO 8601 time. A time outside 1970–9999 is a
 * 400 (Postgres cannot compare against a date JavaScript cannot even print, e.g. `1000000d`).
 */
export function parseSince(text: string, now = Date.now()): Date {
  let time: number
  try {
    time = now - parseDuration(text) * 1000
  } catch {
    time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN
    if (Number.isNaN(time)) {
      throw new ValidationError([
        {
          path: '/query/since',
          message: 'must be a duration (30m, 1h, 7d) or an ISO 8601 time (2025-01-31T09:00:00Z)',
        },
      ])
    }
  }
  if (!(time >= EARLIEST_SINCE && time <= LATEST_SINCE)) {
    throw new ValidationError([
      {
        path: '/query/since',
        message: `is out of range: give a time between 1970-01-01 and 9999-12-31, or a duration of at most ${Math.floor((now - EARLIEST_SINCE) / 86_400_000)}d`,
      },
    ])
  }
  return new Date(time)
}
