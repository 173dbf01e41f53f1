/**
 * AREA revisions (area_revisions): the document of each applied version of an AREA, as the
 * areas table stores it (secrets as placeholders). Written in the apply's transaction; only the
 * last `keep` of each AREA are kept (AREA_MAX_REVISIONS_PER_AREA), so applies cannot grow the
 * table without bound. See docs/architecture.md "Revisions".
 */
import { type Kysely, sql } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import type { JsonObject, JsonValue } from '../engine/types.js'
import { auditOrigin } from './audit.js'

export interface RevisionWrite {
  areaId: string
  revision: number
  spec: JsonObject
  specHash: string
  changes: string[]
}

export async function recordRevision(
  trx: Kysely<Database>,
  write: RevisionWrite,
  keep: number,
): Promise<void> {
  await trx
    .insertInto('area_revisions')
    .values({
      area_id: write.areaId,
      revision: write.revision,
      spec: toJson(write.spec),
      spec_hash: write.specHash,
      changes: toJson(write.changes),
      applied_by: auditOrigin.getStore()?.tokenName() ?? null,
    })
    // A revision number is never written twice; this only guards a row left by a deleted AREA's id.
    .onConflict((oc) => oc.columns(['area_id', 'revision']).doNothing())
    .execute()
  await trx
    .deleteFrom('area_revisions')
    .where('area_id', '=', write.areaId)
    .where('revision', '<=', write.revision - keep)
    .execute()
}

export interface RevisionEntry {
  revision: number
  spec: JsonValue
  changes: string[]
  appliedBy: string | null
  appliedAt: Date
}

/** The AREA's kept revisions, newest first. */
export async function listRevisions(db: Kysely<Database>, areaId: string): Promise<RevisionEntry[]> {
  const rows = await db
    .selectFrom('area_revisions')
    .select(['revision', 'spec', 'changes', 'applied_by', 'applied_at'])
    .where('area_id', '=', areaId)
    .orderBy('revision', 'desc')
    .execute()
  return rows.map((row) => ({
    revision: row.revision,
    spec: row.spec as JsonValue,
    changes: Array.isArray(row.changes) ? (row.changes as string[]) : [],
    appliedBy: row.applied_by,
    appliedAt: new Date(row.applied_at),
  }))
}

/** One kept revision's document; undefined when it was never kept or has been dropped. */
export async function findRevision(
  db: Kysely<Database>,
  areaId: string,
  revision: number,
): Promise<JsonObject | undefined> {
  const row = await db
    .selectFrom('area_revisions')
    .select('spec')
    .where('area_id', '=', areaId)
    .where('revision', '=', revision)
    .executeTakeFirst()
  return row ? (row.spec as JsonObject) : undefined
}

/** The newest kept revision below `below`: what `rollback` without --to goes back to. */
export async function previousRevision(
  db: Kysely<Database>,
  areaId: string,
  below: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('area_revisions')
    .select(sql<number>`max(revision)`.as('revision'))
    .where('area_id', '=', areaId)
    .where('revision', '<', below)
    .executeTakeFirst()
  return row?.revision ?? undefined
}
