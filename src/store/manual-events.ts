/**
 * `area run <name>`: an event the user fires by hand. It is recorded like any other event (a
 * hook_logs row, committed before anything is enqueued), so the worker, the sweeper and
 * `area logs` treat it the same way.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import { currentTraceparent } from '../engine/tracing.js'
import type { JsonObject } from '../engine/types.js'
import { fromAreaTriggers } from './area-joins.js'
import { AreaNotFoundError } from './errors.js'

export interface ManualEvent {
  hookLogId: string
  areaActionId: string
  deliveryId: string
}

/** The AREA's trigger as `run` needs it: which action, to pick its example event. */
export async function findAreaTrigger(
  db: Kysely<Database>,
  userId: string,
  name: string,
): Promise<{ areaId: string; areaActionId: string; hookJobId: string; service: string; action: string }> {
  const row = await fromAreaTriggers(db)
    .select([
      'a.id as areaId',
      'aa.id as areaActionId',
      'h.id as hookJobId',
      's.key as service',
      'sa.key as action',
    ])
    .where('a.user_id', '=', userId)
    .where('a.name', '=', name)
    .executeTakeFirst()
  if (!row) throw new AreaNotFoundError(name)
  return row
}

export async function recordManualEvent(
  db: Kysely<Database>,
  input: { userId: string; areaId: string; areaActionId: string; hookJobId: string; event: JsonObject },
): Promise<ManualEvent> {
  const deliveryId = `manual-${randomUUID()}`
  const row = await db
    .insertInto('hook_logs')
    .values({
      hook_job_id: input.hookJobId,
      area_id: input.areaId,
      user_id: input.userId,
      delivery_id: deliveryId,
      event_payload: toJson(input.event),
      // The request's span, kept for the sweeper (docs/architecture.md, "Traces").
      traceparent: currentTraceparent() ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { hookLogId: row.id, areaActionId: input.areaActionId, deliveryId }
}
