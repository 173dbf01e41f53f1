/**
 * AREAs in the database: apply (create or update by name), enable/disable, delete. Every write
 * happens in one transaction, after every check (area-plan.ts), so bad input changes nothing.
 * Rows of reactions are kept by their `ref` across re-applies (execution logs point at them), and
 * a hook job keeps its dedup state unless its trigger's identity (service, action, params) changes.
 */
import { randomBytes } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import { canonicalHash, canonicalJson } from '../engine/canonical-json.js'
import type { Registry } from '../engine/registry.js'
import { nextRunAfter } from '../engine/schedule.js'
import type { JsonObject } from '../engine/types.js'
import type { SecretBox } from '../secrets/secret-box.js'
import type { AreaDocument } from '../spec/document.js'
import type { NormalizedArea } from '../spec/normalize.js'
import { type ApplyOutcome, type AreaPlan, planArea, type References } from './area-plan.js'
import { recordAudit } from './audit.js'
import { AreaNotFoundError } from './errors.js'

export type { ApplyOutcome } from './area-plan.js'

/** What writing a plan needs besides the plan itself. */
export interface WriteContext {
  userId: string
  registry: Registry
  secrets: SecretBox
  now?: Date
}

export interface ApplyAreaInput extends WriteContext {
  area: NormalizedArea
  /** `create` refuses an existing name; `apply` updates it. */
  mode: 'apply' | 'create'
}

export interface ApplyAreaResult {
  outcome: ApplyOutcome
  id: string
  name: string
  revision: number
  /** Top-level parts that changed: description, labels, enabled, action, trigger, reactions. */
  changes: string[]
}

export async function applyArea(db: Kysely<Database>, input: ApplyAreaInput): Promise<ApplyAreaResult> {
  return db.transaction().execute(async (trx) => {
    const plan = await planArea(trx, input.userId, input.area, { mode: input.mode, lock: true })
    return writeAreaPlan(trx, plan, input)
  })
}

/**
 * Writes a plan made in the same transaction (`trx`) with `lock: true`, so the row cannot change
 * in between. An unchanged plan writes nothing.
 */
export async function writeAreaPlan(
  trx: Kysely<Database>,
  plan: AreaPlan,
  context: WriteContext,
): Promise<ApplyAreaResult> {
  const { area, existing, refs } = plan
  if (existing && plan.outcome === 'unchanged') {
    return {
      outcome: 'unchanged',
      id: existing.id,
      name: area.name,
      revision: existing.revision,
      changes: [],
    }
  }
  const row = existing
    ? await trx
        .updateTable('areas')
        .set({
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
          description: area.description,
          labels: toJson(area.labels),
          enabled: area.enabled,
          spec: toJson(area.document as unknown as JsonObject),
          spec_hash: area.specHash,
        })
        .returning(['id', 'revision'])
        .executeTakeFirstOrThrow()
  const areaActionId = await writeAction(trx, row.id, area, refs)
  await writeReactions(trx, row.id, area, refs)
  await writeHookJob(trx, areaActionId, area, context, existing !== undefined)
  await recordAudit(trx, {
    userId: context.userId,
    action: existing ? 'area.updated' : 'area.created',
    target: `area/${area.name}`,
    metadata: { revision: row.revision },
  })
  return {
    outcome: existing ? 'updated' : 'created',
    id: row.id,
    name: area.name,
    revision: row.revision,
    changes: plan.changes,
  }
}

async function writeAction(trx: Kysely<Database>, areaId: string, area: NormalizedArea, refs: References) {
  const { id } = await trx
    .insertInto('area_actions')
    .values({
      area_id: areaId,
      service_action_id: refs.serviceActionId,
      user_service_id: refs.actionConnectionId,
      trigger_type: area.action.trigger.type,
    })
    .onConflict((oc) =>
      oc.column('area_id').doUpdateSet({
        service_action_id: refs.serviceActionId,
        user_service_id: refs.actionConnectionId,
        trigger_type: area.action.trigger.type,
        updated_at: sql`now()`,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow()
  await trx.deleteFrom('area_action_param_values').where('area_action_id', '=', id).execute()
  const values = Object.entries(area.action.params).map(([name, value]) => ({
    area_action_id: id,
    name,
    value: toJson(value),
  }))
  if (values.length) await trx.insertInto('area_action_param_values').values(values).execute()
  return id
}

async function writeReactions(trx: Kysely<Database>, areaId: string, area: NormalizedArea, refs: References) {
  const keep = area.reactions.map((r) => r.ref)
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
      })
      .onConflict((oc) =>
        oc.columns(['area_id', 'ref']).doUpdateSet({
          service_reaction_id: ref.serviceReactionId,
          user_service_id: ref.connectionId,
          position,
          updated_at: sql`now()`,
        }),
      )
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx.deleteFrom('area_reaction_param_values').where('area_reaction_id', '=', id).execute()
    const values = Object.entries(reaction.params).map(([name, value]) => ({
      area_reaction_id: id,
      name,
      value: toJson(value),
    }))
    if (values.length) await trx.insertInto('area_reaction_param_values').values(values).execute()
  }
}

async function writeHookJob(
  trx: Kysely<Database>,
  areaActionId: string,
  area: NormalizedArea,
  input: WriteContext,
  updating: boolean,
) {
  const now = input.now ?? new Date()
  const trigger = area.action.trigger
  const status: 'active' | 'paused' = area.enabled ? 'active' : 'paused'
  const sourceHash = canonicalHash([area.action.service, area.action.action, area.action.params])
  const current = updating
    ? await trx
        .selectFrom('hook_jobs')
        .select(['id', 'type', 'source_hash', 'schedule', 'polling_interval_seconds', 'last_run_at'])
        .where('area_action_id', '=', areaActionId)
        .executeTakeFirst()
    : undefined

  if (trigger.type === 'webhook') {
    if (current?.type === 'webhook') {
      await trx
        .updateTable('hook_jobs')
        .set({ status, updated_at: sql`now()` })
        .where('id', '=', current.id)
        .execute()
      return
    }
    const secret = input.secrets.seal(generateWebhookSecret())
    const values = {
      type: 'webhook' as const,
      polling_interval_seconds: null,
      schedule: null,
      next_run_at: null,
      webhook_secret_encrypted: secret,
      status,
      state: null,
      source_hash: null,
      baseline_done: true,
    }
    if (current) await trx.updateTable('hook_jobs').set(values).where('id', '=', current.id).execute()
    else
      await trx
        .insertInto('hook_jobs')
        .values({ area_action_id: areaActionId, ...values })
        .execute()
    return
  }

  const schedule = trigger.schedule
  const intervalSeconds = schedule.kind === 'interval' ? schedule.seconds : null
  const scheduleJson = schedule.kind === 'cron' ? toJson(schedule as unknown as JsonObject) : null
  const action = input.registry.action(area.action.service, area.action.action)
  // A timer's first tick is one interval away; a data source polls now to take its baseline.
  const firstRun = action?.polling?.firstPoll === 'fire' ? nextRunAfter(schedule, now) : now
  const sameSource = current?.type === 'polling' && current.source_hash === sourceHash
  if (current && sameSource) {
    const cadenceChanged =
      current.polling_interval_seconds !== intervalSeconds ||
      canonicalJson(current.schedule) !== canonicalJson(schedule.kind === 'cron' ? schedule : null)
    await trx
      .updateTable('hook_jobs')
      .set({
        polling_interval_seconds: intervalSeconds,
        schedule: scheduleJson,
        status,
        ...(cadenceChanged ? { next_run_at: nextRunAfter(schedule, current.last_run_at ?? now) } : {}),
        updated_at: sql`now()`,
      })
      .where('id', '=', current.id)
      .execute()
    return
  }
  // New job, or a different source: start over with a fresh baseline.
  const values = {
    type: 'polling' as const,
    polling_interval_seconds: intervalSeconds,
    schedule: scheduleJson,
    next_run_at: firstRun,
    last_run_at: null,
    webhook_secret_encrypted: null,
    status,
    state: null,
    source_hash: sourceHash,
    baseline_done: false,
    updated_at: now,
  }
  if (current) await trx.updateTable('hook_jobs').set(values).where('id', '=', current.id).execute()
  else
    await trx
      .insertInto('hook_jobs')
      .values({ area_action_id: areaActionId, ...values })
      .execute()
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
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

/**
 * Turns an AREA on or off. The stored canonical document and its hash follow, so `export`
 * prints the state and applying the file again reports `enabled` as a change.
 */
export async function setAreaEnabled(
  db: Kysely<Database>,
  userId: string,
  name: string,
  enabled: boolean,
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
    await trx
      .updateTable('areas')
      .set({
        enabled,
        spec: toJson(updated as unknown as JsonObject),
        spec_hash: canonicalHash(updated),
        revision: sql`revision + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', row.id)
      .execute()
    await trx
      .updateTable('hook_jobs')
      .set({ status: enabled ? 'active' : 'paused', updated_at: sql`now()` })
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
