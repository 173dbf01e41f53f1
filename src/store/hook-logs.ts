/**
 * The life of one event row (hook_logs): claimed by one worker at a time through a lease, then
 * finished (done, skipped, failed) or handed back for a retry.
 */
import { CompiledQuery, type Kysely, sql } from 'kysely'
import { prepared } from '../db/prepared.js'
import type { Database, HookLogStatus } from '../db/schema.js'
import type { JsonObject } from '../engine/types.js'

export interface ClaimedHookLog {
  id: string
  hookJobId: string
  areaId: string
  userId: string
  event: JsonObject
  attempts: number
  /** Changes whenever the AREA does: workers key their cache of loaded AREAs on it. */
  areaVersion: string
  /**
   * A replay's revision when it is not the one the AREA stands at: the worker runs that
   * revision's document (docs/architecture.md, "Replay"). Absent for every other run.
   */
  replayRevision?: number
}

// The worker runs this once per event: plain SQL, so no query is built and compiled each time
// (Kysely's builder cost more CPU than the statement itself at a few hundred events per second).
const CLAIM_SQL = prepared(
  'area_claim_event',
  `
  update area.hook_logs h
     set status = 'processing', attempts = h.attempts + 1,
         claimed_until = now() + make_interval(secs => $2::double precision)
    from area.areas a
   where a.id = h.area_id and h.id = any($1::uuid[]) and not h.processed
     and (h.claimed_until is null or h.claimed_until < now())
  returning h.id, h.hook_job_id, h.area_id, h.user_id, h.event_payload, h.attempts,
            a.revision, a.updated_at,
            case when h.replay_revision <> a.revision then h.replay_revision end as replay_revision`,
)

interface ClaimRow {
  id: string
  hook_job_id: string
  area_id: string
  user_id: string
  event_payload: JsonObject
  attempts: number
  revision: number
  updated_at: Date
  replay_revision: number | null
}

/**
 * Takes the event for `leaseSeconds`, unless it is finished or another worker holds a live
 * lease. A worker killed mid-run leaves a lease that expires, and the retry takes over.
 */
export async function claimHookLog(
  db: Kysely<Database>,
  hookLogId: string,
  leaseSeconds: number,
): Promise<ClaimedHookLog | undefined> {
  return (await claimHookLogs(db, [hookLogId], leaseSeconds)).get(hookLogId)
}

/** claimHookLog for several events in one statement: the ones taken, by id. */
export async function claimHookLogs(
  db: Kysely<Database>,
  hookLogIds: readonly string[],
  leaseSeconds: number,
): Promise<Map<string, ClaimedHookLog>> {
  const { rows } = await db.executeQuery<ClaimRow>(CompiledQuery.raw(CLAIM_SQL, [hookLogIds, leaseSeconds]))
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        hookJobId: row.hook_job_id,
        areaId: row.area_id,
        userId: row.user_id,
        event: row.event_payload,
        attempts: row.attempts,
        areaVersion: `${row.revision}:${row.updated_at.getTime()}`,
        ...(row.replay_revision === null ? {} : { replayRevision: row.replay_revision }),
      },
    ]),
  )
}

/**
 * Extends the claim number `attempt`; false when the event was finished, handed back, or claimed
 * again by another worker meanwhile (each claim counts an attempt, so the number fences it).
 */
export async function renewHookLogClaim(
  db: Kysely<Database>,
  hookLogId: string,
  leaseSeconds: number,
  attempt: number,
): Promise<boolean> {
  const result = await db
    .updateTable('hook_logs')
    .set({ claimed_until: sql`now() + make_interval(secs => ${leaseSeconds})` })
    .where('id', '=', hookLogId)
    .where('attempts', '=', attempt)
    .where('processed', '=', false)
    .where('claimed_until', 'is not', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function hookLogState(
  db: Kysely<Database>,
  hookLogId: string,
): Promise<{ processed: boolean; status: HookLogStatus; claimedUntil: Date | null } | undefined> {
  return db
    .selectFrom('hook_logs')
    .select(['processed', 'status', 'claimed_until as claimedUntil'])
    .where('id', '=', hookLogId)
    .executeTakeFirst()
}
