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
import type { Schedule } from '../engine/define.js'
import { nextRunAfter } from '../engine/schedule.js'

export interface DueSlot {
  hookJobId: string
  slotMs: number
}

interface DueRow {
  id: string
  polling_interval_seconds: number | null
  schedule: Schedule | null
  next_run_at: Date
}

/**
 * Claims up to `limit` due slots and commits them (schedule advanced, slot recorded), then
 * returns them for the caller to enqueue. A job late by several slots (a scheduler outage) fires
 * its oldest due slot once, then continues from now: missed slots are not replayed in a burst.
 */
export async function claimDuePolls(
  db: Kysely<Database>,
  options: { limit: number; now?: Date },
): Promise<DueSlot[]> {
  return db.transaction().execute(async (trx) => {
    const now = options.now ?? new Date()
    const { rows } = await sql<DueRow>`
      select id, polling_interval_seconds, schedule, next_run_at
      from area.hook_jobs
      where type = 'polling' and status = 'active' and next_run_at <= ${now}
      order by next_run_at
      limit ${options.limit}
      for update skip locked
    `.execute(trx)
    if (rows.length === 0) return []
    const slots = rows.map((row) => ({ hookJobId: row.id, slotMs: row.next_run_at.getTime() }))
    // Array parameters rather than some per row, and one statement for both writes: a claim of
    // 1,000 rows stays one small statement to build, parse and send.
    await sql`
      with v as (
        select * from unnest(${rows.map((row) => row.id)}::uuid[],
          ${rows.map((row) => row.next_run_at.toISOString())}::timestamptz[],
          ${rows.map((row) => nextSlot(row, now).toISOString())}::timestamptz[],
          ${slots.map((slot) => String(slot.slotMs))}::bigint[]) as v(id, slot, next, slot_ms)
      ),
      advanced as (
        update area.hook_jobs as h
        set last_run_at = v.slot, next_run_at = v.next, updated_at = now()
        from v where h.id = v.id
      )
      insert into area.poll_slots (hook_job_id, slot_ms)
      select id, slot_ms from v
      on conflict (hook_job_id, slot_ms) do nothing
    `.execute(trx)
    return slots
  })
}

function nextSlot(row: DueRow, now: Date): Date {
  const schedule: Schedule = row.schedule ?? { kind: 'interval', seconds: row.polling_interval_seconds ?? 60 }
  const after = nextRunAfter(schedule, row.next_run_at)
  return after > now ? after : nextRunAfter(schedule, now)
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
