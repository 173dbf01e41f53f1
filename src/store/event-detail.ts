/**
 * One event in full for `area logs <event-id>`: what the trigger delivered, and for each reaction
 * the params it was called with (as rendered; execution_logs keep secret params redacted, see
 * engine/run.ts) and what it answered. Scoped to one user: another user's event is not found.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { JsonValue } from '../engine/types.js'
import { type EventEntry, type ExecutionEntry, findEventLog } from './logs.js'

export interface ExecutionDetail extends ExecutionEntry {
  /** The rendered params, secrets redacted; null when rendering failed before they were known. */
  params: JsonValue | null
  output: JsonValue | null
}

export interface EventDetail extends Omit<EventEntry, 'executions'> {
  payload: JsonValue
  executions: ExecutionDetail[]
}

export async function findEventDetail(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<EventDetail | undefined> {
  const event = await findEventLog(db, userId, id)
  if (!event) return undefined
  const [payload, payloads] = await Promise.all([
    db.selectFrom('hook_logs').select('event_payload').where('id', '=', id).executeTakeFirstOrThrow(),
    db
      .selectFrom('execution_logs')
      .select(['reaction_ref', 'item_index', 'request_payload', 'response_payload'])
      .where('hook_log_id', '=', id)
      .execute(),
  ])
  const keyOf = (ref: string, item: number | null) => `${ref}:${item ?? -1}`
  const byRef = new Map(payloads.map((p) => [keyOf(p.reaction_ref, p.item_index), p]))
  return {
    ...event,
    payload: payload.event_payload as JsonValue,
    executions: event.executions.map((e) => ({
      ...e,
      params: (byRef.get(keyOf(e.ref, e.item))?.request_payload as JsonValue | undefined) ?? null,
      output: (byRef.get(keyOf(e.ref, e.item))?.response_payload as JsonValue | undefined) ?? null,
    })),
  }
}
