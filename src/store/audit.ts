/**
 * The audit trail (audit_logs): who did what to which resource, from where. Written in the same
 * transaction as the change it records, so the trail never claims a change that was rolled back.
 * Read back by `GET /v1/audit` (`area audit`), only ever the caller's own rows.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { type Kysely, sql } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import type { JsonObject, JsonValue } from '../engine/types.js'

export interface AuditEntry {
  userId: string | null
  /** `<resource>.<verb>`, e.g. `area.created`, `token.revoked`. */
  action: string
  /** `<kind>/<name>`, e.g. `area/issues-to-discord`. */
  target?: string
  metadata?: JsonObject
}

/** Where a change came from: set per API request (daemon/api/plugins/audit-origin.ts). */
export interface AuditOrigin {
  address: string | null
  userAgent: string | null
  /** The API token's name; read when the row is written, since authentication runs after. */
  tokenName(): string | null
}

/**
 * The origin of the request being served. Carried implicitly so the many writers (accounts,
 * tokens, connections, AREAs) need no extra parameter; see docs/architecture.md "Audit".
 */
export const auditOrigin = new AsyncLocalStorage<AuditOrigin>()

/** User-Agent headers are the client's to choose: kept to a sane length. */
const maxUserAgent = 256

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  const origin = auditOrigin.getStore()
  await db
    .insertInto('audit_logs')
    .values({
      user_id: entry.userId,
      action_type: entry.action,
      target_resource: entry.target ?? null,
      metadata: toJson(entry.metadata ?? {}),
      token_name: origin?.tokenName() ?? null,
      address: origin?.address ?? null,
      user_agent: origin?.userAgent?.slice(0, maxUserAgent) ?? null,
      // Not now(), the transaction's start: rows of one transaction keep the order they were written.
      created_at: sql<Date>`clock_timestamp()`,
    })
    .execute()
}

export interface AuditRow {
  id: string
  action: string
  target: string | null
  metadata: JsonValue
  tokenName: string | null
  address: string | null
  userAgent: string | null
  /** Microsecond ISO text, exact enough to page on. */
  createdAt: string
}

export interface AuditPosition {
  createdAt: string
  id: string
}

export interface AuditFilter {
  userId: string
  since?: Date
  /** An exact action (`area.updated`) or a resource prefix (`area`, `token`). */
  action?: string
}

/** One page of the user's rows, newest first; `next` is set when more follow. */
export async function listAudit(
  db: Kysely<Database>,
  filter: AuditFilter,
  page: { before?: AuditPosition; limit: number },
): Promise<{ items: AuditRow[]; next: AuditPosition | undefined }> {
  let query = db
    .selectFrom('audit_logs')
    .where('user_id', '=', filter.userId)
    .select([
      'id',
      'action_type',
      'target_resource',
      'metadata',
      'token_name',
      'address',
      'user_agent',
      // Text in UTC with microseconds: a Date would drop them and break paging on ties.
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created'),
    ])
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since)
  const action = filter.action
  if (action !== undefined) {
    query = action.includes('.')
      ? query.where('action_type', '=', action)
      : query.where('action_type', 'like', `${action}.%`)
  }
  const before = page.before
  if (before) {
    query = query.where(
      sql<boolean>`(created_at, id) < (${before.createdAt}::timestamptz, ${before.id}::uuid)`,
    )
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute()
  const items = rows.slice(0, page.limit).map(
    (row): AuditRow => ({
      id: row.id,
      action: row.action_type,
      target: row.target_resource,
      metadata: row.metadata as JsonValue,
      tokenName: row.token_name,
      address: row.address,
      userAgent: row.user_agent,
      createdAt: row.created,
    }),
  )
  const last = items.at(-1)
  return {
    items,
    next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
  }
}
