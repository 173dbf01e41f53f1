/**
 * What flow control reads (docs/architecture.md, "Flow control"): an AREA's flow keys, from its
 * stored document, by action id; and, for AREAs whose flow needs it, the event and its arrival
 * before the claim (the key of `concurrency.key`/`debounce.key`, the order of a debounced burst).
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import { type FlowPolicy, flowOf } from '../engine/flow.js'
import type { JsonValue } from '../engine/types.js'

export interface AreaFlow {
  areaId: string
  areaName: string
  userId: string
  /** Undefined when the AREA declares no flow control. */
  flow: FlowPolicy | undefined
}

export async function findAreaFlow(
  db: Kysely<Database>,
  areaActionId: string,
): Promise<AreaFlow | undefined> {
  const row = await db
    .selectFrom('area_actions as aa')
    .innerJoin('areas as a', 'a.id', 'aa.area_id')
    .select([
      'a.id as areaId',
      'a.name as areaName',
      'a.user_id as userId',
      // Only the three keys, not the whole document.
      sql<unknown>`jsonb_build_object(
        'concurrency', a.spec->'spec'->'concurrency',
        'rate_limit', a.spec->'spec'->'rate_limit',
        'debounce', a.spec->'spec'->'debounce')`.as('flow'),
    ])
    .where('aa.id', '=', areaActionId)
    .executeTakeFirst()
  return row && { areaId: row.areaId, areaName: row.areaName, userId: row.userId, flow: flowOf(row.flow) }
}

export interface PendingEvent {
  event: JsonValue
  /** When it arrived, in microseconds since the epoch: the order of a burst. */
  arrivedUs: number
}

/** The unfinished event `hookLogId`, or undefined when it is finished or gone. */
export async function findPendingEvent(
  db: Kysely<Database>,
  hookLogId: string,
): Promise<PendingEvent | undefined> {
  const row = await db
    .selectFrom('hook_logs')
    .select([
      'event_payload as event',
      sql<string>`(floor(extract(epoch from created_at) * 1000000))::bigint::text`.as('arrivedUs'),
    ])
    .where('id', '=', hookLogId)
    .where('processed', '=', false)
    .executeTakeFirst()
  return row && { event: row.event as JsonValue, arrivedUs: Number(row.arrivedUs) }
}

/**
 * Ends an event a later one of its debounced burst replaced: skipped, with the reason, unless it
 * is finished or another worker holds it. False when it was not ended here.
 */
export async function skipSupersededEvent(
  db: Kysely<Database>,
  hookLogId: string,
  reason: string,
): Promise<boolean> {
  const result = await db
    .updateTable('hook_logs')
    .set({ status: 'skipped', processed: true, error: reason, finished_at: sql`now()`, claimed_until: null })
    .where('id', '=', hookLogId)
    .where('processed', '=', false)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', sql<Date>`now()`)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
