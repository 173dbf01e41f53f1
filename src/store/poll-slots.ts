/**
 * Claimed polling slots not yet polled (`poll_slots`, docs/architecture.md, "Claim-based
 * scheduling"): the poll path's outbox. The claim (due-polls.ts) records a slot, the poll's commit
 * (polls.ts) or finishPollSlot removes it, and the scheduler's sweep enqueues again a slot left
 * unpolled for longer than a lease, under its deterministic job id.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import type { DueSlot } from './due-polls.js'

/** The slot is done: polled, skipped, or failed for good. Doing it twice is harmless. */
export async function finishPollSlot(db: Kysely<Database>, slot: DueSlot): Promise<void> {
  await sql`
    delete from area.poll_slots where hook_job_id = ${slot.hookJobId} and slot_ms = ${String(slot.slotMs)}::bigint
  `.execute(db)
}

/**
 * Slots claimed and not yet polled whose last enqueue is older than `leaseSeconds` (or failed),
 * oldest first. Their job may have been lost with Redis, or may simply still be waiting or
 * running: enqueueing it again under the same id is harmless either way.
 */
export async function findStrandedPollSlots(
  db: Kysely<Database>,
  options: { leaseSeconds: number; limit: number },
): Promise<DueSlot[]> {
  const { rows } = await sql<{ hook_job_id: string; slot_ms: string }>`
    select hook_job_id, slot_ms::text as slot_ms from area.poll_slots
    where enqueued_at is null or enqueued_at < now() - make_interval(secs => ${options.leaseSeconds})
    order by enqueued_at nulls first
    limit ${options.limit}
  `.execute(db)
  return rows.map((row) => ({ hookJobId: row.hook_job_id, slotMs: Number(row.slot_ms) }))
}

/**
 * Records the outcome of an enqueue: `true` starts a new lease (the sweep leaves the slots alone
 * that long), `false` makes them due for the next sweep rather than after a whole lease.
 */
export async function markPollSlotsEnqueued(
  db: Kysely<Database>,
  slots: readonly DueSlot[],
  enqueued: boolean,
): Promise<void> {
  if (slots.length === 0) return
  await sql`
    update area.poll_slots as s
    set enqueued_at = ${enqueued ? sql`now()` : sql`null`}
    from unnest(${slots.map((slot) => slot.hookJobId)}::uuid[], ${slots.map((slot) => String(slot.slotMs))}::bigint[])
      as v(hook_job_id, slot_ms)
    where s.hook_job_id = v.hook_job_id and s.slot_ms = v.slot_ms
  `.execute(db)
}
