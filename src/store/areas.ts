/**
 * AREAs in the database: apply (create or update by name), delete. Every write happens in one
 * transaction, after every check, so bad input changes nothing. Rows of reactions are kept by
 * their `ref` across re-applies (execution logs point at them), and a hook job keeps its dedup
 * state unless its trigger's identity (service, action, params) changes.
 */
import { randomBytes } from 'node:crypto'
import { type Kysely, type Transaction, sql } from 'kysely'
import { canonicalHash, canonicalJson } from '../engine/canonical-json.js'
import { type Issue, ValidationError } from '../engine/errors.js'
import type { Registry } from '../engine/registry.js'
import { nextRunAfter } from '../engine/schedule.js'
import type { JsonObject } from '../engine/types.js'
import type { NormalizedArea } from '../spec/normalize.js'
import { AreaNotFoundError, AreaExistsError } from './errors.js'
import { toJson } from './json.js'
import type { Database } from './schema.js'
import type { SecretBox } from './secret-box.js'

export type ApplyOutcome = 'created' | 'updated' | 'unchanged'

export interface ApplyAreaInput {
  userId: string
  area: NormalizedArea
  /** `create` refuses an existing name; `apply` updates it. */
  mode: 'apply' | 'create'
  registry: Registry
  secrets: SecretBox
  now?: Date
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
  const { area, userId } = input
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('areas')
      .select(['id', 'spec', 'spec_hash', 'revision'])
      .where('user_id', '=', userId)
      .where('name', '=', area.name)
      .forUpdate()
      .executeTakeFirst()
    if (existing && input.mode === 'create') throw new AreaExistsError(area.name)
    const refs = await resolveReferences(trx, userId, area)
    if (existing && existing.spec_hash === area.specHash) {
      return { outcome: 'unchanged', id: existing.id, name: area.name, revision: existing.revision, changes: [] }
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
            user_id: userId,
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
    await writeHookJob(trx, areaActionId, area, input, existing !== undefined)
    await trx
      .insertInto('audit_logs')
      .values({
        user_id: userId,
        action_type: existing ? 'area.updated' : 'area.created',
        target_resource: `area/${area.name}`,
        metadata: toJson({ revision: row.revision }),
      })
      .execute()
    return {
      outcome: existing ? 'updated' : 'created',
      id: row.id,
      name: area.name,
      revision: row.revision,
      changes: existing ? changedParts(existing.spec as JsonObject, area) : [],
    }
  })
}

interface References {
  serviceActionId: string
  actionConnectionId: string | null
  reactions: { serviceReactionId: string; connectionId: string | null }[]
}

/** Catalog ids and the user's connections; unknown names are validation errors. */
async function resolveReferences(trx: Transaction<Database>, userId: string, area: NormalizedArea): Promise<References> {
  const issues: Issue[] = []
  const action = await trx
    .selectFrom('service_actions as sa')
    .innerJoin('services as s', 's.id', 'sa.service_id')
    .select(['sa.id'])
    .where('s.key', '=', area.action.service)
    .where('sa.key', '=', area.action.action)
    .where('sa.available', '=', true)
    .executeTakeFirst()
  if (!action) {
    issues.push({ path: '/spec/action/action', message: `${area.action.service}.${area.action.action} is not available` })
  }
  const names = [area.action.connection, ...area.reactions.map((r) => r.connection)].filter(
    (n): n is string => n !== undefined,
  )
  const connections = names.length
    ? await trx
        .selectFrom('user_services as us')
        .innerJoin('services as s', 's.id', 'us.service_id')
        .select(['us.id', 'us.name', 's.key as service'])
        .where('us.user_id', '=', userId)
        .where('us.name', 'in', names)
        .execute()
    : []
  const connection = (name: string | undefined, service: string, path: string): string | null => {
    if (name === undefined) return null
    const found = connections.find((c) => c.name === name)
    if (!found) {
      issues.push({ path, message: `unknown connection "${name}": create it with \`area connections add ${service}\`` })
      return null
    }
    if (found.service !== service) {
      issues.push({ path, message: `connection "${name}" is for ${found.service}, not ${service}` })
    }
    return found.id
  }
  const actionConnectionId = connection(area.action.connection, area.action.service, '/spec/action/connection')

  const reactionRows = await trx
    .selectFrom('service_reactions as sr')
    .innerJoin('services as s', 's.id', 'sr.service_id')
    .select(['sr.id', 'sr.key', 's.key as service'])
    .where('sr.available', '=', true)
    .where(
      's.key',
      'in',
      area.reactions.map((r) => r.service),
    )
    .execute()
  const reactions = area.reactions.map((reaction, index) => {
    const found = reactionRows.find((r) => r.service === reaction.service && r.key === reaction.reaction)
    if (!found) {
      issues.push({
        path: `/spec/reactions/${index}/reaction`,
        message: `${reaction.service}.${reaction.reaction} is not available`,
      })
    }
    return {
      serviceReactionId: found?.id ?? '',
      connectionId: connection(reaction.connection, reaction.service, `/spec/reactions/${index}/connection`),
    }
  })
  if (issues.length || !action) throw new ValidationError(issues)
  return { serviceActionId: action.id, actionConnectionId, reactions }
}

async function writeAction(trx: Transaction<Database>, areaId: string, area: NormalizedArea, refs: References) {
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

async function writeReactions(trx: Transaction<Database>, areaId: string, area: NormalizedArea, refs: References) {
  const keep = area.reactions.map((r) => r.ref)
  await trx
    .deleteFrom('area_reactions')
    .where('area_id', '=', areaId)
    .where('ref', 'not in', keep)
    .execute()
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
  trx: Transaction<Database>,
  areaActionId: string,
  area: NormalizedArea,
  input: ApplyAreaInput,
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
      await trx.updateTable('hook_jobs').set({ status, updated_at: sql`now()` }).where('id', '=', current.id).execute()
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
    else await trx.insertInto('hook_jobs').values({ area_action_id: areaActionId, ...values }).execute()
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
  else await trx.insertInto('hook_jobs').values({ area_action_id: areaActionId, ...values }).execute()
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}

function changedParts(previous: JsonObject, area: NormalizedArea): string[] {
  const before = previous as unknown as NormalizedArea['document']
  const after = area.document
  const parts: [string, unknown, unknown][] = [
    ['description', before.metadata?.description, after.metadata.description],
    ['labels', before.metadata?.labels, after.metadata.labels],
    ['enabled', before.spec?.enabled, after.spec.enabled],
    ['trigger', before.spec?.action?.trigger, after.spec.action.trigger],
    ['action', { ...before.spec?.action, trigger: null }, { ...after.spec.action, trigger: null }],
    ['reactions', before.spec?.reactions, after.spec.reactions],
  ]
  return parts.filter(([, a, b]) => canonicalJson(a) !== canonicalJson(b)).map(([name]) => name)
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
    await trx
      .insertInto('audit_logs')
      .values({ user_id: userId, action_type: 'area.deleted', target_resource: `area/${name}`, metadata: toJson({}) })
      .execute()
  })
}
