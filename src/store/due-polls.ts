/**
 * The scheduler's claim (docs/architecture.md, "Claim-based scheduling"): due polling hook jobs
 * are locked with SKIP LOCKED, their next run advanced and the claimed slot recorded in
 * `poll_slots`, all in one short transaction. The caller enqueues the slots after the commit: no
 * transaction stays open while Redis is called, and a slot whose enqueue fails or whose job Redis
 * loses is still in Postgres, where the sweep (src/store/poll-slots.ts) finds it. Any number of
 * schedulers may run this at once: a row is claimed by one of them.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import { type CatchUpMode, decideCatchUp } from '../engine/catch-up.js'
import type { Schedule } from '../engine/define.js'

export interface DueSlot {
  hookJobId: string
  slotMs: number
}

interface DueRow {
  id: string
  polling_interval_seconds: number | null
  schedule: Schedule | null
  next_run_at: Date
  catch_up: CatchUpMode
  catch_up_max: number
}

/** Due slots a claim did not fire (catch_up), by hook job: for the scheduler's log line. */
export interface SkippedSlots {
  hookJobId: string
  skipped: number
  mode: CatchUpMode
}

/**
 * Claims up to `limit` due hook jobs and commits them (schedule advanced past now, the slots to
 * fire recorded), then returns those slots for the caller to enqueue. A job late by several slots
 * (a scheduler outage, an AREA enabled with its catch-up) fires what its `catch_up` says
 * (src/engine/catch-up.ts): a missed slot fires here or never, so the `skipped` are reported.
 */
export async function claimDuePolls(
  db: Kysely<Database>,
  options: {
    limit: number
    now?: Date
    /** After the commit: how many hook jobs were claimed (a full batch means more may be due). */
    onClaimed?: (claim: { jobs: number; skipped: SkippedSlots[] }) => void
  },
): Promise<DueSlot[]> {
  const { jobs, slots, skipped } = await db.transaction().execute(async (trx) => {
    const now = options.now ?? new Date()
    const { rows } = await sql<DueRow>`
      select id, polling_interval_seconds, schedule, next_run_at, catch_up, catch_up_max
      from area.hook_jobs
      where type = 'polling' and status = 'active' and next_run_at <= ${now}
      order by next_run_at
      limit ${options.limit}
      for update skip locked
    `.execute(trx)
    if (rows.length === 0) return { jobs: 0, slots: [], skipped: [] }
    const slots: DueSlot[] = []
    const skipped: SkippedSlots[] = []
    const advanced = rows.map((row) => {
      const decision = decideCatchUp(scheduleOf(row), row.next_run_at, now, {
        mode: row.catch_up,
        max: row.catch_up_max,
      })
      for (const at of decision.fire) slots.push({ hookJobId: row.id, slotMs: at.getTime() })
      if (decision.skipped > 0)
        skipped.push({ hookJobId: row.id, skipped: decision.skipped, mode: row.catch_up })
      // last_run_at: the newest slot fired, else (nothing fired) the one the next slot follows.
      const last = decision.fire.at(-1) ?? row.next_run_at
      return { id: row.id, last, next: decision.next }
    })
    // Array parameters rather than some per row, and one statement for both writes: a claim of
    // 1,000 rows stays one small statement to build, parse and send.
    await sql`
      with v as (
        select * from unnest(${advanced.map((a) => a.id)}::uuid[],
          ${advanced.map((a) => a.last.toISOString())}::timestamptz[],
          ${advanced.map((a) => a.next.toISOString())}::timestamptz[]) as v(id, slot, next)
      ),
      s as (
        select * from unnest(${slots.map((slot) => slot.hookJobId)}::uuid[],
          ${slots.map((slot) => String(slot.slotMs))}::bigint[]) as s(id, slot_ms)
      ),
      advanced as (
        update area.hook_jobs as h
        set last_run_at = v.slot, next_run_at = v.next, updated_at = now()
        from v where h.id = v.id
      )
      insert into area.poll_slots (hook_job_id, slot_ms)
      select id, slot_ms from s
      on conflict (hook_job_id, slot_ms) do nothing
    `.execute(trx)
    return { jobs: rows.length, slots, skipped }
  })
  options.onClaimed?.({ jobs, skipped })
  return slots
}

function scheduleOf(row: DueRow): Schedule {
  return row.schedule ?? { kind: 'interval', seconds: row.polling_interval_seconds ?? 60 }
}

/** Seconds between now and the oldest due slot: how far behind polling is (0 when on time). */
export async function pollLagSeconds(db: Kysely<Database>, now = new Date()): Promise<number> {
  const { rows } = await sql<{ oldest: Date | null }>`
    select min(next_run_at) as oldest from area.hook_jobs
    where type = 'polling' and status = 'active' and next_run_at <= ${now}
  `.execute(db)
  const oldest = rows[0]?.oldest
  return oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0
}
