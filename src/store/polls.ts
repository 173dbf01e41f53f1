/**
 * The engine's PollStatePort: seen keys, new events, the cursor and the end of the polling slot
 * are written in one transaction, so a crash between them cannot fire an item twice or lose one,
 * and a slot whose poll committed is never enqueued again by the sweep.
 */
import { type Kysely, sql } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import type { PollCommit, PolledEventRef, PollStatePort } from '../engine/poll.js'
import { currentTraceparent } from '../engine/tracing.js'
import type { JsonObject } from '../engine/types.js'
import { clearedPollFailure } from './poll-failures.js'
import { finishPollSlot } from './poll-slots.js'

export interface PollScope {
  areaId: string
  userId: string
  /** The polling slot this poll stands for: its `poll_slots` row is removed with the commit. */
  slotMs?: number
}

// Keeps each INSERT's parameter count far below Postgres' limit of 65535.
const batchSize = 500

export function createPollStatePort(db: Kysely<Database>, scope: PollScope): PollStatePort {
  return {
    async commit(commit: PollCommit) {
      return db.transaction().execute(async (trx) => {
        const fresh = new Set<string>()
        for (let i = 0; i < commit.items.length; i += batchSize) {
          const batch = commit.items.slice(i, i + batchSize)
          // A key seen again gets a fresh seen_at (at most daily, to spare writes), so retention
          // only prunes keys that left their source; `xmax = 0` tells a new row from an update.
          const rows = await trx
            .insertInto('hook_seen')
            .values(batch.map((item) => ({ hook_job_id: commit.hookJobId, dedup_key: item.key })))
            .onConflict((oc) =>
              oc
                .columns(['hook_job_id', 'dedup_key'])
                .doUpdateSet({ seen_at: sql`now()` })
                .where('hook_seen.seen_at', '<', sql<Date>`now() - interval '1 day'`),
            )
            .returning(['dedup_key', sql<boolean>`xmax = 0`.as('inserted')])
            .execute()
          for (const row of rows) if (row.inserted) fresh.add(row.dedup_key)
        }
        const fired: { key: string; hookLogId: string }[] = []
        const events = commit.baseline ? [] : commit.items.filter((item) => fresh.has(item.key))
        // The poll's span, kept on each event for the sweeper (docs/architecture.md, "Traces").
        const traceparent = currentTraceparent() ?? null
        for (let i = 0; i < events.length; i += batchSize) {
          const rows = await trx
            .insertInto('hook_logs')
            .values(
              events.slice(i, i + batchSize).map((item) => ({
                hook_job_id: commit.hookJobId,
                area_id: scope.areaId,
                user_id: scope.userId,
                delivery_id: item.key,
                event_payload: toJson(item.event),
                traceparent,
              })),
            )
            .onConflict((oc) => oc.columns(['hook_job_id', 'delivery_id']).doNothing())
            .returning(['id', 'delivery_id'])
            .execute()
          for (const row of rows) fired.push({ key: row.delivery_id, hookLogId: row.id })
        }
        // Keys polled before whose events are still unfinished and unclaimed: usually none, but a
        // poll that crashed after its commit and before its enqueue left them, and its retry (the
        // same slot) finds its keys seen. One indexed lookup, only when keys were seen before.
        const known = commit.baseline ? [] : commit.items.filter((item) => !fresh.has(item.key))
        const pending = known.length === 0 ? [] : await unfinishedEvents(trx, commit.hookJobId, known)
        await trx
          .updateTable('hook_jobs')
          .set({
            state: commit.state === undefined ? null : toJson(commit.state as JsonObject),
            baseline_done: true,
            ...clearedPollFailure,
            updated_at: sql`now()`,
          })
          .where('id', '=', commit.hookJobId)
          .execute()
        if (scope.slotMs !== undefined) {
          await finishPollSlot(trx, { hookJobId: commit.hookJobId, slotMs: scope.slotMs })
        }
        return { fired, pending }
      })
    },
  }
}

async function unfinishedEvents(
  db: Kysely<Database>,
  hookJobId: string,
  items: readonly { key: string }[],
): Promise<PolledEventRef[]> {
  const { rows } = await sql<{ id: string; delivery_id: string }>`
    select id, delivery_id from area.hook_logs
    where hook_job_id = ${hookJobId} and delivery_id = any(${items.map((item) => item.key)}::text[])
      and not processed and (claimed_until is null or claimed_until < now())
  `.execute(db)
  return rows.map((row) => ({ key: row.delivery_id, hookLogId: row.id }))
}
