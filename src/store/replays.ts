/**
 * The rows `area replay` reads and writes (docs/architecture.md, "Replay"): the caller's
 * finished events a replay may take, and re-opening them in place. Every query starts from the
 * caller's id, so a filter never selects another user's event and an id of theirs is not found.
 */
import { type Kysely, sql } from 'kysely'
import type { Database, HookLogStatus } from '../db/schema.js'

/** The statuses a replay may take: finished events (`processed`). */
export const replayableStatuses = ['failed', 'done', 'skipped'] as const
export type ReplayableStatus = (typeof replayableStatuses)[number]

export interface ReplayCandidate {
  id: string
  areaId: string
  areaName: string
  areaActionId: string
  status: HookLogStatus
  kind: 'event' | 'poll_failure'
  processed: boolean
  error: string | null
  detectedAt: Date
  replays: number
  /** The revision the AREA stands at now. */
  currentRevision: number
  /**
   * The newest kept revision applied before the event came in: the one it ran under. Null when
   * that revision is no longer kept (revisions are trimmed oldest first).
   */
  originalRevision: number | null
}

export interface ReplayFilter {
  userId: string
  areaId?: string
  status: ReplayableStatus
  since?: Date
}

function candidates(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('hook_logs as hl')
    .innerJoin('areas as a', 'a.id', 'hl.area_id')
    .innerJoin('area_actions as aa', 'aa.area_id', 'a.id')
    .select([
      'hl.id',
      'hl.area_id as areaId',
      'a.name as areaName',
      'aa.id as areaActionId',
      'hl.status',
      'hl.kind',
      'hl.processed',
      'hl.error',
      'hl.detected_at as detectedAt',
      'hl.replays',
      'a.revision as currentRevision',
      sql<number | null>`(select max(r.revision) from area.area_revisions r
        where r.area_id = hl.area_id and r.applied_at <= hl.detected_at)`.as('originalRevision'),
    ])
    .where('hl.user_id', '=', userId)
}

/** One of the caller's events by id, whatever its state; undefined for another user's. */
export async function findReplayEvent(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<ReplayCandidate | undefined> {
  return candidates(db, userId).where('hl.id', '=', id).executeTakeFirst()
}

/**
 * The caller's finished events the filter selects, oldest first, at most `limit`, and how many
 * it selects in all.
 */
export async function findReplayEvents(
  db: Kysely<Database>,
  filter: ReplayFilter,
  limit: number,
): Promise<{ matched: number; events: ReplayCandidate[] }> {
  const scoped = <Q extends ReturnType<typeof candidates>>(query: Q) => {
    let q = query
      .where('hl.kind', '=', 'event')
      .where('hl.processed', '=', true)
      .where('hl.status', '=', filter.status) as Q
    if (filter.areaId !== undefined) q = q.where('hl.area_id', '=', filter.areaId) as Q
    if (filter.since !== undefined) q = q.where('hl.detected_at', '>=', filter.since) as Q
    return q
  }
  const [count, events] = await Promise.all([
    scoped(candidates(db, filter.userId))
      .clearSelect()
      .select(sql<string>`count(*)`.as('count'))
      .executeTakeFirstOrThrow(),
    scoped(candidates(db, filter.userId)).orderBy('hl.detected_at').orderBy('hl.id').limit(limit).execute(),
  ])
  return { matched: Number(count.count), events }
}

/** What a reaction (or for_each item) of an event ended as, for a dry run's account. */
export interface RecordedOutcome {
  hookLogId: string
  ref: string
  /** -1 for the reaction as a whole. */
  item: number
  status: string
}

export async function recordedOutcomes(
  db: Kysely<Database>,
  hookLogIds: readonly string[],
): Promise<RecordedOutcome[]> {
  if (hookLogIds.length === 0) return []
  return db
    .selectFrom('execution_logs')
    .select(['hook_log_id as hookLogId', 'reaction_ref as ref', 'item_index as item', 'status'])
    .where('hook_log_id', 'in', hookLogIds)
    .orderBy('started_at')
    .execute()
}

/** The refs a revision's run would reach, by phase: the AREA as it stands, or a kept document. */
export async function currentReactionRefs(
  db: Kysely<Database>,
  areaId: string,
): Promise<{ ref: string; phase: 'main' | 'on_failure' }[]> {
  return db
    .selectFrom('area_reactions')
    .select(['ref', 'phase'])
    .where('area_id', '=', areaId)
    .orderBy('position')
    .execute()
}

/**
 * Re-opens finished events for a replay: unprocessed and queued again, the error and end
 * cleared, the replay counted, `revision` (null: the AREA as it stands) kept for the worker.
 * `attempts` is left as it is: it fences the claims (docs/architecture.md, "Effectively-once
 * reactions"), so it only ever grows. An event that is not finished (another replay took it
 * first) is left alone and not returned.
 */
export async function reopenEvents(
  db: Kysely<Database>,
  userId: string,
  events: readonly { id: string; revision: number | null }[],
): Promise<Map<string, number>> {
  if (events.length === 0) return new Map()
  const ids = events.map((e) => e.id)
  const revisions = events.map((e) => e.revision)
  const { rows } = await sql<{ id: string; replays: number }>`
    update area.hook_logs h
       set processed = false, status = 'queued', error = null, finished_at = null,
           claimed_until = null, replays = h.replays + 1, replayed_at_attempt = h.attempts,
           replay_revision = v.revision
      from (select unnest(${ids}::uuid[]) as id, unnest(${revisions}::int[]) as revision) v
     where h.id = v.id and h.user_id = ${userId} and h.processed and h.kind = 'event'
    returning h.id, h.replays`.execute(db)
  return new Map(rows.map((r) => [r.id, r.replays]))
}
