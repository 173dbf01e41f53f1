/**
 * The audit trail (audit_logs): who did what to which resource. Written in the same transaction
 * as the change it records, so the trail never claims a change that was rolled back.
 */
import type { Kysely } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import type { JsonObject } from '../engine/types.js'

export interface AuditEntry {
  userId: string | null
  /** `<resource>.<verb>`, e.g. `area.created`, `token.revoked`. */
  action: string
  /** `<kind>/<name>`, e.g. `area/issues-to-discord`. */
  target?: string
  metadata?: JsonObject
}

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_logs')
    .values({
      user_id: entry.userId,
      action_type: entry.action,
      target_resource: entry.target ?? null,
      metadata: toJson(entry.metadata ?? {}),
    })
    .execute()
}
