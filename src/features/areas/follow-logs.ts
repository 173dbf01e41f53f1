/**
 * `area logs --follow`: polls the database for events that appeared or changed, and hands each
 * new version of an event to `send` once. No trigger or notification channel is needed, so it
 * works the same on PGlite, Postgres and behind a pooler.
 *
 * An event's row is inserted with `detected_at = now()`, the time its transaction started, so a
 * slow transaction can commit a row "in the past" of what was already read. Each read therefore
 * looks back `overlapSeconds`, and what was already sent in the same version is not sent again.
 * Unfinished events are re-read by id until they finish, which is how status changes (processing,
 * done, failed) and reaction results reach the stream.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import {
  databaseNow,
  type EventEntry,
  type LogFilter,
  type LogPosition,
  readEventChanges,
} from '../../store/logs.js'
import type { FeatureContext } from '../context.js'
import { type LogQuery, logFilter } from './logs.js'

export interface FollowOptions {
  db: Kysely<Database>
  filter: LogFilter
  /** Events detected before this point (exact text from `databaseNow`) are not sent. */
  from: string
  signal: AbortSignal
  send(event: EventEntry): void
  heartbeat(): void
  pollIntervalMs?: number
  heartbeatMs?: number
  overlapSeconds?: number
  /** Rows read per poll; a busier stream catches up over several polls. */
  batchSize?: number
  /** Unfinished events followed at once; beyond that the oldest stop getting updates. */
  maxTracked?: number
}

/** How one stream is followed: everything but what to follow. */
export type FollowStreamOptions = Omit<FollowOptions, 'db' | 'filter' | 'from'>

/**
 * Resolves what to follow, from now on: anything wrong with the query is thrown here, before a
 * stream starts. The returned function follows until its signal aborts.
 */
export async function logFollower(
  ctx: Pick<FeatureContext, 'store'>,
  userId: string,
  query: LogQuery,
): Promise<(options: FollowStreamOptions) => Promise<void>> {
  const db = ctx.store.db
  const filter = await logFilter(ctx, userId, query)
  const from = await databaseNow(db)
  return (options) => followEventLogs({ db, filter, from, ...options })
}

const finalStatuses = new Set(['done', 'failed', 'skipped'])
const lowestId = '00000000-0000-0000-0000-000000000000'

/** Resolves when `signal` aborts; rejects when the database does. */
export async function followEventLogs(options: FollowOptions): Promise<void> {
  const { db, filter, signal } = options
  const pollIntervalMs = options.pollIntervalMs ?? 500
  const heartbeatMs = options.heartbeatMs ?? 15_000
  const overlapSeconds = options.overlapSeconds ?? 5
  const batchSize = options.batchSize ?? 500
  const maxTracked = options.maxTracked ?? 1_000
  const sent = new Map<string, { version: string; final: boolean; position: LogPosition }>()
  let after: LogPosition = { detectedAt: options.from, id: lowestId }
  let lastBeat = Date.now()

  while (!signal.aborted) {
    // Read before the query: anything committed later is found by the next poll's look-back.
    const horizon = maxPosition({ detectedAt: await databaseNow(db, overlapSeconds), id: lowestId }, after)
    const tracked = [...sent].filter(([, s]) => !s.final).map(([id]) => id)
    const events = await readEventChanges(db, filter, { after, ids: tracked, limit: batchSize })
    if (signal.aborted) return
    // A followed event that no longer comes back was deleted or left the filter: stop following it.
    if (events.length < batchSize) {
      const returned = new Set(events.map((e) => e.id))
      for (const id of tracked) if (!returned.has(id)) sent.delete(id)
    }
    for (const event of events) {
      const version = JSON.stringify([
        event.status,
        event.attempts,
        event.error,
        event.finishedAt,
        event.executions,
      ])
      if (sent.get(event.id)?.version === version) continue
      options.send(event)
      sent.set(event.id, { version, final: finalStatuses.has(event.status), position: event.position })
    }
    const newest = events.filter((e) => comparePositions(e.position, after) > 0).at(-1)
    // A full batch means more are waiting: continue right after it, without looking back.
    after = events.length >= batchSize && newest ? newest.position : horizon
    forget(sent, after, maxTracked)

    if (Date.now() - lastBeat >= heartbeatMs) {
      options.heartbeat()
      lastBeat = Date.now()
    }
    if (events.length < batchSize) {
      try {
        await sleep(pollIntervalMs, undefined, { signal })
      } catch {
        return
      }
    }
  }
}

/** Finished events older than the look-back are never read again; unfinished ones are capped. */
function forget(
  sent: Map<string, { final: boolean; position: LogPosition }>,
  after: LogPosition,
  maxTracked: number,
) {
  let unfinished = 0
  for (const [id, entry] of sent) {
    if (entry.final && comparePositions(entry.position, after) <= 0) sent.delete(id)
    else if (!entry.final) unfinished += 1
  }
  // Map order is insertion order: the oldest unfinished events go first.
  for (const [id, entry] of sent) {
    if (unfinished <= maxTracked) break
    if (!entry.final) {
      sent.delete(id)
      unfinished -= 1
    }
  }
}

// Exact UTC texts of one fixed format compare as strings; ids break ties like uuid order does
// for lowercase hex.
function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.detectedAt !== b.detectedAt) return a.detectedAt < b.detectedAt ? -1 : 1
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1
}

function maxPosition(a: LogPosition, b: LogPosition): LogPosition {
  return comparePositions(a, b) >= 0 ? a : b
}
