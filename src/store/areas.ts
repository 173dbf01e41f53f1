/**
 * AREAs in the database: find one to apply, write it (create or update by name), delete, prune,
 * enable/disable. Writes run in the caller's transaction after every check (features/areas/), so
 * bad input changes nothing. Rows of reactions are kept by their `ref` across re-applies
 * (execution logs point at them); the hook job is written by hook-jobs.ts.
 */
import { type Kysely, sql } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import { canonicalHash } from '../engine/canonical-json.js'
import type { JsonObject } from '../engine/types.js'
import type { AreaDocument } from '../spec/document.js'
import type { LabelRequirement } from '../spec/label-selector.js'
import type { NormalizedArea } from '../spec/normalize.js'
import type { References } from './area-references.js'
import { recordAudit } from './audit.js'
import { AreaNotFoundError } from './errors.js'
import { type HookJobContext, resumeHookJobs, writeHookJob } from './hook-jobs.js'
import { labelsMatch } from './label-filter.js'
import { storedParam } from './param-values.js'
import { recordRevision } from './revisions.js'

/** The stored AREA an apply replaces. */
export interface ExistingArea {
  id: string
  spec: JsonObject
  specHash: string
  revision: number
  /** Who manages it (features/areas/ownership.ts), or null. */
  owner: string | null
}

/** The user's AREA named `name`; `lock` holds its row until the transaction ends. */
export async function findAreaToApply(
  db: Kysely<Database>,
  userId: string,
  name: string,
  options: { lock: boolean },
): Promise<ExistingArea | undefined> {
  let query = db
    .selectFrom('areas')
    .select(['id', 'spec', 'spec_hash', 'revision', 'owner'])
    .where('user_id', '=', userId)
    .where('name', '=', name)
  if (options.lock) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  return (
    row && {
      id: row.id,
      spec: row.spec as JsonObject,
      specHash: row.spec_hash,
      revision: row.revision,
      owner: row.owner,
    }
  )
}

/** An AREA to write: the document, the row it replaces (if any) and the rows it points at. */
export interface AreaWrite {
  area: NormalizedArea
  existing: ExistingArea | undefined
  refs: References
  /** The owner to record; undefined keeps the stored one. */
  owner?: string | null
}

/** What writing needs besides the AREA. */
export interface WriteContext extends HookJobContext {
  userId: string
  /** Revisions kept per AREA (AREA_MAX_REVISIONS_PER_AREA); written by features/areas/apply.ts. */
  keepRevisions: number
}

/**
 * Creates or updates the AREA, its action, reactions and hook job, with the audit row. Run in
 * the transaction that found `existing` with `lock: true`, so the row cannot change in between.
 */
export async function writeArea(
  trx: Kysely<Database>,
  write: AreaWrite,
  context: WriteContext,
): Promise<{ id: string; revision: number }> {
  const { area, existing, refs, owner } = write
  const row = existing
    ? await trx
        .updateTable('areas')
        .set({
          ...(owner === undefined ? {} : { owner }),
          description: area.description,
          labels: toJson(area.labels),
          enabled: area.enabled,
          spec: toJson(area.document as unknown as JsonObject),
          spec_hash: area.specHash,
          revision: sql`revision + 1`,
          updated_at: sql`now()`,
        })
        .where('id', '=', existing.id)
        .returning(['id', 'revision'])
        .executeTakeFirstOrThrow()
    : await trx
        .insertInto('areas')
        .values({
          user_id: context.userId,
          name: area.name,
          owner: owner ?? null,
          description: area.description,
          labels: toJson(area.labels),
          enabled: area.enabled,
          spec: toJson(area.document as unknown as JsonObject),
          spec_hash: area.specHash,
        })
        .returning(['id', 'revision'])
        .executeTakeFirstOrThrow()
  const areaActionId = await writeAction(trx, row.id, area, refs, context)
  await writeReactions(trx, row.id, area, refs, context)
  await writeHookJob(trx, areaActionId, area, context, existing !== undefined)
  await recordAudit(trx, {
    userId: context.userId,
    action: existing ? 'area.updated' : 'area.created',
    target: `area/${area.name}`,
    metadata: { revision: row.revision },
  })
  return row
}

/**
 * `area.document` shows each param as the API will (secrets redacted); `area.action.params` and
 * `area.reactions[i].params` are the params as applied. A param where they differ holds a secret
 * and is stored sealed (param-values.ts).
 */
async function writeAction(
  trx: Kysely<Database>,
  areaId: string,
  area: NormalizedArea,
  refs: References,
  context: WriteContext,
) {
  const { id } = await trx
    .insertInto('area_actions')
    .values({
      area_id: areaId,
      service_action_id: refs.serviceActionId,
      user_service_id: refs.actionConnectionId,
      trigger_type: area.action.trigger.type,
      condition: area.action.when ?? null,
    })
    .onConflict((oc) =>
      oc.column('area_id').doUpdateSet({
        service_action_id: refs.serviceActionId,
        user_service_id: refs.actionConnectionId,
        trigger_type: area.action.trigger.type,
        condition: area.action.when ?? null,
        updated_at: sql`now()`,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow()
  await trx.deleteFrom('area_action_param_values').where('area_action_id', '=', id).execute()
  const shown = area.document.spec.action.params as JsonObject | undefined
  const values = Object.entries(area.action.params).map(([name, value]) => {
    const stored = storedParam(shown?.[name], value, context.secrets)
    return { area_action_id: id, name, value: toJson(stored.value), sealed: stored.sealed }
  })
  if (values.length) await trx.insertInto('area_action_param_values').values(values).execute()
  return id
}

async function writeReactions(
  trx: Kysely<Database>,
  areaId: string,
  area: NormalizedArea,
  refs: References,
  context: WriteContext,
) {
  const keep = area.reactions.map((r) => r.ref)
  // Positions follow area.reactions: the main reactions, then the on_failure ones after them.
  await trx.deleteFrom('area_reactions').where('area_id', '=', areaId).where('ref', 'not in', keep).execute()
  for (const [position, reaction] of area.reactions.entries()) {
    const ref = refs.reactions[position]!
    const { id } = await trx
      .insertInto('area_reactions')
      .values({
        area_id: areaId,
        service_reaction_id: ref.serviceReactionId,
        user_service_id: ref.connectionId,
        position,
        ref: reaction.ref,
        phase: reaction.phase,
        policy: toJson(reaction.policy as JsonObject),
      })
      .onConflict((oc) =>
        oc.columns(['area_id', 'ref']).doUpdateSet({
          service_reaction_id: ref.serviceReactionId,
          user_service_id: ref.connectionId,
          position,
          phase: reaction.phase,
          policy: toJson(reaction.policy as JsonObject),
          updated_at: sql`now()`,
        }),
      )
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx.deleteFrom('area_reaction_param_values').where('area_reaction_id', '=', id).execute()
    const shown = documentReaction(area.document, position)?.params as JsonObject | undefined
    const values = Object.entries(reaction.params).map(([name, value]) => {
      const stored = storedParam(shown?.[name], value, context.secrets)
      return { area_reaction_id: id, name, value: toJson(stored.value), sealed: stored.sealed }
    })
    if (values.length) await trx.insertInto('area_reaction_param_values').values(values).execute()
  }
}

/** The document's reaction at `position` of area.reactions (main ones, then on_failure). */
function documentReaction(document: AreaDocument, position: number) {
  const main = document.spec.reactions
  return position < main.length ? main[position] : document.spec.on_failure?.[position - main.length]
}

export async function deleteArea(db: Kysely<Database>, userId: string, name: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom('areas')
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .returning('id')
      .executeTakeFirst()
    if (!deleted) throw new AreaNotFoundError(name)
    await recordAudit(trx, { userId, action: 'area.deleted', target: `area/${name}` })
  })
}

/** The user's AREAs not named in `keep`, by name; `lock` holds their rows. */
export async function findAreasNotNamed(
  db: Kysely<Database>,
  userId: string,
  keep: string[],
  options: {
    lock: boolean
    selector?: readonly LabelRequirement[]
    /** Only AREAs of this owner (null: only AREAs without one); features/areas/ownership.ts. */
    owner: string | null
  },
): Promise<{ id: string; name: string; spec: JsonObject }[]> {
  let query = db
    .selectFrom('areas')
    .select(['id', 'name', 'spec'])
    .where('user_id', '=', userId)
    .where('name', 'not in', keep)
    .where(labelsMatch('areas.labels', options.selector ?? []))
    .where((eb) => (options.owner === null ? eb('owner', 'is', null) : eb('owner', '=', options.owner)))
    .orderBy('name')
  if (options.lock) query = query.forUpdate()
  const rows = await query.execute()
  return rows.map((r) => ({ id: r.id, name: r.name, spec: r.spec as JsonObject }))
}

/** Deletes AREAs found by `findAreasNotNamed` (`apply --prune`), with an audit row each. */
export async function pruneAreas(
  trx: Kysely<Database>,
  userId: string,
  doomed: readonly { id: string; name: string }[],
): Promise<void> {
  if (doomed.length === 0) return
  await trx
    .deleteFrom('areas')
    .where(
      'id',
      'in',
      doomed.map((d) => d.id),
    )
    .execute()
  for (const d of doomed) {
    await recordAudit(trx, {
      userId,
      action: 'area.deleted',
      target: `area/${d.name}`,
      metadata: { pruned: true },
    })
  }
}

/**
 * Turns an AREA on or off. The stored canonical document and its hash follow, so `export`
 * prints the state and applying the file again reports `enabled` as a change.
 */
export async function setAreaEnabled(
  db: Kysely<Database>,
  userId: string,
  name: string,
  enabled: boolean,
  keepRevisions: number,
  /** Enabling: fire the slots that fell while it was off, as its `catch_up` says (default: skip them). */
  options: { catchUp?: boolean } = {},
): Promise<{ outcome: 'updated' | 'unchanged'; id: string }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('areas')
      .select(['id', 'spec', 'enabled'])
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw new AreaNotFoundError(name)
    const document = row.spec as unknown as AreaDocument
    if (row.enabled === enabled && document.spec.enabled === enabled)
      return { outcome: 'unchanged', id: row.id }
    const updated: AreaDocument = { ...document, spec: { ...document.spec, enabled } }
    const specHash = canonicalHash(updated)
    const { revision } = await trx
      .updateTable('areas')
      .set({
        enabled,
        spec: toJson(updated as unknown as JsonObject),
        spec_hash: specHash,
        revision: sql`revision + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', row.id)
      .returning('revision')
      .executeTakeFirstOrThrow()
    // A new revision like any apply, so history shows it and rollback can undo it.
    const revisionWrite = { areaId: row.id, revision, specHash, changes: ['enabled'] }
    await recordRevision(trx, { ...revisionWrite, spec: updated as unknown as JsonObject }, keepRevisions)
    if (enabled) await resumeHookJobs(trx, row.id, { catchUp: options.catchUp === true })
    else
      await trx
        .updateTable('hook_jobs')
        .set({ status: 'paused', updated_at: sql`now()` })
        .where('area_action_id', 'in', (eb) =>
          eb.selectFrom('area_actions').select('id').where('area_id', '=', row.id),
        )
        .execute()
    await recordAudit(trx, {
      userId,
      action: enabled ? 'area.enabled' : 'area.disabled',
      target: `area/${name}`,
    })
    return { outcome: 'updated', id: row.id }
  })
}
