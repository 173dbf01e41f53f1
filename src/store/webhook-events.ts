/**
 * The webhook ingest's database side: finding the hook a URL names, and committing a batch of
 * received events to hook_logs in one statement. The INSERT re-checks that the hook is an active
 * webhook of an enabled AREA, so a disable or delete stops new events at once even while the API
 * still holds the hook in its short-lived cache.
 */
import { CompiledQuery, type Kysely, sql } from 'kysely'
import { prepared } from '../db/prepared.js'
import type { Database } from '../db/schema.js'
import type { JsonObject } from '../engine/types.js'
import type { SecretBox } from '../secrets/secret-box.js'
import { areaActionColumns, fromAreaTriggers } from './area-joins.js'
import { paramsObject } from './param-values.js'

/** A webhook hook job and its AREA's action: what an event sent to the hook is recorded for. */
export interface WebhookHook {
  hookJobId: string
  areaActionId: string
  areaId: string
  userId: string
  service: string
  action: string
  params: JsonObject
}

export interface WebhookHookRow extends WebhookHook {
  sealedSecret: string | null
  /** The hook job is active and its AREA enabled. */
  active: boolean
}

/**
 * The webhook hook job `hookJobId` with its AREA's action; undefined when there is none. With
 * `secrets` (the ingest, about to verify a delivery), secret params are opened: a webhook's
 * verification may be keyed with a secret of its params.
 */
export async function findWebhookHook(
  db: Kysely<Database>,
  hookJobId: string,
  secrets?: SecretBox,
): Promise<WebhookHookRow | undefined> {
  const row = await fromAreaTriggers(db)
    .select([
      'h.id as hookJobId',
      'h.status',
      'h.webhook_secret_encrypted as sealedSecret',
      'aa.id as areaActionId',
      ...areaActionColumns,
    ])
    .where('h.id', '=', hookJobId)
    .where('h.type', '=', 'webhook')
    .executeTakeFirst()
  if (!row) return undefined
  const { status, enabled, params, ...hook } = row
  return { ...hook, params: paramsObject(params, secrets), active: status === 'active' && enabled }
}

export interface NewWebhookEvent {
  hookJobId: string
  deliveryId: string
  /**
   * The payload as JSON text, serialised on its own before batching (serializeForStorage in
   * engine/json-limits.ts): a payload that cannot be serialised then fails alone, never the
   * statement it would share with other senders' events.
   */
  payloadJson: string
  /**
   * The ingest request's span (docs/architecture.md, "Traces"): carried to the execution job,
   * and kept on the row for the sweeper, should Redis lose that job.
   */
  traceparent?: string
}

export type WebhookEventOutcome =
  | { status: 'accepted'; hookLogId: string }
  /** The delivery id was already recorded for this hook: a replay. */
  | { status: 'duplicate'; hookLogId: string }
  /** The hook was deleted or disabled after the API looked it up. */
  | { status: 'gone' }

const keyOf = (hookJobId: string, deliveryId: string) => `${hookJobId}\n${deliveryId}`
const FOREIGN_KEY_VIOLATION = '23503'

/**
 * Postgres refused a value (SQLSTATE class 22, e.g. a `\u0000` or a lone surrogate that jsonb
 * cannot store) or hit a limit on it (class 54, e.g. nesting beyond its stack depth): the payload
 * is at fault, not the database, and retrying it will not help.
 */
export function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'))
}

/**
 * Commits `events` (distinct hook and delivery id pairs) in one INSERT, and says what became of
 * each, in input order. One statement is one transaction: when it returns, every accepted row is
 * durable. Replays are found with a second query only when some row was not inserted.
 */
export async function insertWebhookEvents(
  db: Kysely<Database>,
  events: readonly NewWebhookEvent[],
): Promise<WebhookEventOutcome[]> {
  if (events.length === 0) return []
  // Assembled from the serialised payloads: nothing here walks a payload again.
  const rows = `[${events
    .map(
      (e) =>
        `{"hook_job_id":${JSON.stringify(e.hookJobId)},"delivery_id":${JSON.stringify(e.deliveryId)},"event_payload":${e.payloadJson}${e.traceparent === undefined ? '' : `,"traceparent":${JSON.stringify(e.traceparent)}`}}`,
    )
    .join(',')}]`
  let inserted: { id: string; hook_job_id: string; delivery_id: string }[]
  try {
    inserted = await insertRows(db, rows)
  } catch (error) {
    // A hook deleted between the join and the foreign key check: once more, the join drops it.
    if ((error as { code?: unknown }).code !== FOREIGN_KEY_VIOLATION) throw error
    inserted = await insertRows(db, rows)
  }
  const ids = new Map(inserted.map((row) => [keyOf(row.hook_job_id, row.delivery_id), row.id]))
  const existing = ids.size < events.length ? await findExisting(db, events, ids) : new Map<string, string>()
  return events.map((event): WebhookEventOutcome => {
    const key = keyOf(event.hookJobId, event.deliveryId)
    const id = ids.get(key)
    if (id !== undefined) return { status: 'accepted', hookLogId: id }
    const previous = existing.get(key)
    return previous === undefined ? { status: 'gone' } : { status: 'duplicate', hookLogId: previous }
  })
}

// Raw SQL (schema-qualified): jsonb_to_recordset with a column list has no query-builder form.
// area_id and user_id come from the join, so they are always the hook's current AREA and owner.
const INSERT_EVENTS_SQL = prepared(
  'area_insert_webhook_events_v2',
  `insert into area.hook_logs (hook_job_id, area_id, user_id, delivery_id, event_payload, traceparent)
    select v.hook_job_id, a.id, a.user_id, v.delivery_id, v.event_payload, v.traceparent
    from jsonb_to_recordset($1::jsonb)
      as v(hook_job_id uuid, delivery_id text, event_payload jsonb, traceparent text)
    join area.hook_jobs h on h.id = v.hook_job_id and h.type = 'webhook' and h.status = 'active'
    join area.area_actions aa on aa.id = h.area_action_id
    join area.areas a on a.id = aa.area_id and a.enabled
    on conflict (hook_job_id, delivery_id) do nothing
    returning id, hook_job_id, delivery_id`,
)

async function insertRows(db: Kysely<Database>, rows: string) {
  const result = await db.executeQuery<{ id: string; hook_job_id: string; delivery_id: string }>(
    CompiledQuery.raw(INSERT_EVENTS_SQL, [rows]),
  )
  return result.rows
}

async function findExisting(
  db: Kysely<Database>,
  events: readonly NewWebhookEvent[],
  inserted: Map<string, string>,
): Promise<Map<string, string>> {
  const missing = events
    .filter((e) => !inserted.has(keyOf(e.hookJobId, e.deliveryId)))
    .map((e) => ({ hook_job_id: e.hookJobId, delivery_id: e.deliveryId }))
  const result = await sql<{ id: string; hook_job_id: string; delivery_id: string }>`
    select l.id, l.hook_job_id, l.delivery_id
    from jsonb_to_recordset(${JSON.stringify(missing)}::jsonb) as v(hook_job_id uuid, delivery_id text)
    join area.hook_logs l on l.hook_job_id = v.hook_job_id and l.delivery_id = v.delivery_id`.execute(db)
  return new Map(result.rows.map((row) => [keyOf(row.hook_job_id, row.delivery_id), row.id]))
}
