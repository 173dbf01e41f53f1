/**
 * Execution history for `area logs`: events (hook_logs) newest first, each with what its
 * reactions did (execution_logs). Always scoped to one user. Pages are keyed on
 * (detected_at, id), carried as exact text: a JS Date would drop the microseconds Postgres keeps,
 * and rows sharing a millisecond would be skipped or repeated between pages.
 */
import { type Kysely, sql } from 'kysely'
import type { Database, ExecutionStatus, HookLogKind, HookLogStatus } from '../db/schema.js'

export const eventStatuses: readonly HookLogStatus[] = [
  'received',
  'queued',
  'processing',
  'done',
  'failed',
  'skipped',
]
export const executionStatuses: readonly ExecutionStatus[] = [
  'running',
  'success',
  'failed',
  'skipped',
  'partial_success',
]

export type LogStatus = HookLogStatus | ExecutionStatus

export interface ExecutionEntry {
  ref: string
  /** The item of a `for_each` reaction (from 0); null for the reaction as a whole. */
  item: number | null
  status: ExecutionStatus
  attempt: number
  startedAt: Date
  finishedAt: Date | null
  errorText: string | null
  errorClass: 'retryable' | 'permanent' | null
  /** The reaction's own `retry.attempts` (area_reactions.policy); null: the server's default. */
  ownAttempts: number | null
}

/** An event (a hook_logs row) without its executions. */
export interface EventSummary {
  id: string
  status: HookLogStatus
  deliveryId: string
  detectedAt: Date
  finishedAt: Date | null
  attempts: number
  error: string | null
}

export interface EventEntry extends EventSummary {
  /** Where this event sits in the order of pages and streams. */
  position: LogPosition
  areaName: string
  /** 'poll_failure': a failed poll attempt (poll-failures.ts), with no executions. */
  kind: HookLogKind
  /** A poll failure's attempts in all; null for events (the worker's retry policy says). */
  maxAttempts: number | null
  /** Times `area replay` re-opened the event, and its attempt count then (store/replays.ts). */
  replays?: number
  replayedAtAttempt?: number
  executions: ExecutionEntry[]
}

/** The hook_logs columns an event summary is read from. */
export const eventSummaryColumns = [
  'id',
  'status',
  'delivery_id',
  'detected_at',
  'finished_at',
  'attempts',
  'error',
] as const

export function eventSummaryOf(row: {
  id: string
  status: HookLogStatus
  delivery_id: string
  detected_at: Date
  finished_at: Date | null
  attempts: number
  error: string | null
}): EventSummary {
  return {
    id: row.id,
    status: row.status,
    deliveryId: row.delivery_id,
    detectedAt: row.detected_at,
    finishedAt: row.finished_at,
    attempts: row.attempts,
    error: row.error,
  }
}

/** A position in (detected_at, id) order: where a page ends, or how far a stream has read. */
export interface LogPosition {
  /** `detected_at` as exact UTC text (microseconds). */
  detectedAt: string
  id: string
}

export interface LogFilter {
  userId: string
  areaId?: string
  /** An event status, or an execution status (events with at least one such execution). */
  status?: LogStatus
  since?: Date
}

// to_char keeps the microseconds and a fixed format both drivers return as text.
const exactDetectedAt = sql<string>`to_char(hl.detected_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

function eventQuery(db: Kysely<Database>, filter: LogFilter) {
  let query = db
    .selectFrom('hook_logs as hl')
    .innerJoin('areas as a', 'a.id', 'hl.area_id')
    .select([
      'hl.id',
      'a.name as areaName',
      'hl.status',
      'hl.delivery_id',
      'hl.detected_at',
      'hl.finished_at',
      'hl.attempts',
      'hl.error',
      'hl.kind',
      'hl.replays',
      'hl.replayed_at_attempt',
      sql<
        number | null
      >`case when hl.kind = 'poll_failure' then (hl.event_payload ->> 'maxAttempts')::int end`.as(
        'max_attempts',
      ),
      exactDetectedAt.as('exact_detected_at'),
    ])
    .where('hl.user_id', '=', filter.userId)
  if (filter.areaId !== undefined) query = query.where('hl.area_id', '=', filter.areaId)
  if (filter.since !== undefined) query = query.where('hl.detected_at', '>=', filter.since)
  const status = filter.status
  if (status !== undefined) {
    const asEvent = (eventStatuses as readonly string[]).includes(status)
    query = query.where((eb) => {
      const isEvent = eb('hl.status', '=', status as HookLogStatus)
      const hasExecution = eb.exists(
        eb
          .selectFrom('execution_logs as el')
          .select(sql`1`.as('one'))
          .whereRef('el.hook_log_id', '=', 'hl.id')
          .where('el.status', '=', status as ExecutionStatus),
      )
      // `failed` and `skipped` name the event's own status: an event still being retried after
      // a reaction failed is not failed (yet), and `--status failed` shows failures only.
      return asEvent ? isEvent : hasExecution
    })
  }
  return query
}

type EventRow = Awaited<ReturnType<ReturnType<typeof eventQuery>['executeTakeFirstOrThrow']>>

/** One page, newest first; `next` is set when more follow. */
export async function listEventLogs(
  db: Kysely<Database>,
  filter: LogFilter,
  page: { before?: LogPosition; limit: number },
): Promise<{ items: EventEntry[]; next: LogPosition | undefined }> {
  let query = eventQuery(db, filter)
  const before = page.before
  if (before) {
    query = query.where(
      sql<boolean>`(hl.detected_at, hl.id) < (${before.detectedAt}::timestamptz, ${before.id}::uuid)`,
    )
  }
  const rows = await query
    .orderBy('hl.detected_at', 'desc')
    .orderBy('hl.id', 'desc')
    .limit(page.limit + 1)
    .execute()
  const pageRows = rows.slice(0, page.limit)
  const last = pageRows.at(-1)
  return {
    items: await withExecutions(db, pageRows),
    next: rows.length > page.limit && last ? positionOf(last) : undefined,
  }
}

/** One of the user's events by id; undefined for a missing one and for another user's. */
export async function findEventLog(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<EventEntry | undefined> {
  const rows = await eventQuery(db, { userId }).where('hl.id', '=', id).execute()
  return (await withExecutions(db, rows))[0]
}

/**
 * For a live stream: events after `after` in (detected_at, id) order, plus the events in `ids`
 * (seen earlier while unfinished, re-read to catch their progress), oldest first.
 */
export async function readEventChanges(
  db: Kysely<Database>,
  filter: LogFilter,
  since: { after: LogPosition; ids: readonly string[]; limit: number },
): Promise<EventEntry[]> {
  const { after } = since
  const rows = await eventQuery(db, filter)
    .where((eb) => {
      const fresh = sql<boolean>`(hl.detected_at, hl.id) > (${after.detectedAt}::timestamptz, ${after.id}::uuid)`
      return since.ids.length ? eb.or([fresh, eb('hl.id', 'in', [...since.ids])]) : fresh
    })
    .orderBy('hl.detected_at')
    .orderBy('hl.id')
    .limit(since.limit)
    .execute()
  return withExecutions(db, rows)
}

/** The database's clock (minus some seconds), as exact UTC text like `LogPosition.detectedAt`. */
export async function databaseNow(db: Kysely<Database>, minusSeconds = 0): Promise<string> {
  const { rows } = await sql<{ now: string }>`
    select to_char((now() - make_interval(secs => ${minusSeconds})) at time zone 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now`.execute(db)
  return rows[0]!.now
}

async function withExecutions(db: Kysely<Database>, rows: EventRow[]): Promise<EventEntry[]> {
  if (rows.length === 0) return []
  const executions = await db
    .selectFrom('execution_logs as el')
    .leftJoin('area_reactions as ar', 'ar.id', 'el.area_reaction_id')
    .select([
      'el.hook_log_id',
      'el.reaction_ref',
      'el.item_index',
      'el.status',
      'el.attempt',
      'el.started_at',
      'el.finished_at',
      'el.error_text',
      'el.error_class',
      sql<number | null>`(ar.policy -> 'retry' ->> 'attempts')::int`.as('own_attempts'),
    ])
    .where(
      'el.hook_log_id',
      'in',
      rows.map((r) => r.id),
    )
    // In the order they ran (reactions of a graph may run together); ties in the AREA's order, a
    // reaction removed since then last, a for_each's items in order.
    .orderBy('el.started_at')
    .orderBy(sql`coalesce(ar.position, 2147483647)`)
    .orderBy('el.item_index')
    .execute()
  const byEvent = new Map<string, ExecutionEntry[]>()
  for (const e of executions) {
    const list = byEvent.get(e.hook_log_id) ?? []
    list.push({
      ref: e.reaction_ref,
      item: e.item_index < 0 ? null : e.item_index,
      status: e.status,
      attempt: e.attempt,
      startedAt: e.started_at,
      finishedAt: e.finished_at,
      errorText: e.error_text,
      errorClass: e.error_class,
      ownAttempts: e.own_attempts,
    })
    byEvent.set(e.hook_log_id, list)
  }
  return rows.map((r) => ({
    ...eventSummaryOf(r),
    position: positionOf(r),
    areaName: r.areaName,
    kind: r.kind,
    maxAttempts: r.max_attempts,
    ...(r.replays > 0 ? { replays: r.replays, replayedAtAttempt: r.replayed_at_attempt } : {}),
    executions: byEvent.get(r.id) ?? [],
  }))
}

function positionOf(row: { exact_detected_at: string; id: string }): LogPosition {
  return { detectedAt: row.exact_detected_at, id: row.id }
}
