/**
 * The scheduler's claim (docs/architecture.md, "Claim-based scheduling"): due polling hook jobs
 * are locked with SKIP LOCKED, their slot recorded and their next run advanced, and the caller
 * enqueues the slots before the transaction commits. Any number of schedulers may run this at
 * once: a row is claimed by one of them, and if the enqueue fails the transaction rolls back and
 * the slot is claimed again.
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
 * Claims up to `limit` due slots, hands them to `enqueue` inside the transaction, and returns
 * them. A job late by several slots (a scheduler outage) fires its oldest due slot once, then
 * continues from now: missed slots are not replayed in a burst.
 */
export async function claimDuePolls(
  db: Kysely<Database>,
  options: { limit: number; now?: Date; enqueue(slots: DueSlot[]): Promise<void> },
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
    // Three array parameters rather than three per row: a claim of 1,000 rows stays one small
    // statement to build and to parse.
    await sql`
      update area.hook_jobs as h
      set last_run_at = v.slot, next_run_at = v.next, updated_at = now()
      from unnest(${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => row.next_run_at.toISOString())}::timestamptz[],
        ${rows.map((row) => nextSlot(row, now).toISOString())}::timestamptz[]) as v(id, slot, next)
      where h.id = v.id
    `.execute(trx)
    await options.enqueue(slots)
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
