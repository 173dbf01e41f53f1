/**
 * What applying an AREA would do, found with reads only: the outcome (created, updated,
 * unchanged), the top-level parts that change, and the catalog entries and connections it
 * references. `apply` writes from a plan; a dry run (`area diff`, `apply --dry-run`) stops at it.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { canonicalJson } from '../engine/canonical-json.js'
import { type Issue, ValidationError } from '../engine/errors.js'
import type { JsonObject } from '../engine/types.js'
import type { NormalizedArea } from '../spec/normalize.js'
import { AreaExistsError } from './errors.js'

export type ApplyOutcome = 'created' | 'updated' | 'unchanged'

export interface References {
  serviceActionId: string
  actionConnectionId: string | null
  reactions: { serviceReactionId: string; connectionId: string | null }[]
}

export interface ExistingArea {
  id: string
  spec: JsonObject
  revision: number
}

export interface AreaPlan {
  area: NormalizedArea
  outcome: ApplyOutcome
  /** Top-level parts that change: description, labels, enabled, trigger, action, reactions. */
  changes: string[]
  existing: ExistingArea | undefined
  refs: References
}

export interface PlanOptions {
  /** `create` refuses an existing name; `apply` updates it. */
  mode: 'apply' | 'create'
  /** Lock the existing row until the transaction ends (when the plan is about to be written). */
  lock: boolean
}

export async function planArea(
  db: Kysely<Database>,
  userId: string,
  area: NormalizedArea,
  options: PlanOptions,
): Promise<AreaPlan> {
  let query = db
    .selectFrom('areas')
    .select(['id', 'spec', 'spec_hash', 'revision'])
    .where('user_id', '=', userId)
    .where('name', '=', area.name)
  if (options.lock) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (row && options.mode === 'create') throw new AreaExistsError(area.name)
  const refs = await resolveReferences(db, userId, area)
  const existing = row ? { id: row.id, spec: row.spec as JsonObject, revision: row.revision } : undefined
  if (!row) return { area, outcome: 'created', changes: [], existing, refs }
  if (row.spec_hash === area.specHash) return { area, outcome: 'unchanged', changes: [], existing, refs }
  return { area, outcome: 'updated', changes: changedParts(row.spec as JsonObject, area), existing, refs }
}

/** Catalog ids and the user's connections; unknown names are validation errors. */
export async function resolveReferences(
  db: Kysely<Database>,
  userId: string,
  area: NormalizedArea,
): Promise<References> {
  const issues: Issue[] = []
  const action = await db
    .selectFrom('service_actions as sa')
    .innerJoin('services as s', 's.id', 'sa.service_id')
    .select(['sa.id'])
    .where('s.key', '=', area.action.service)
    .where('sa.key', '=', area.action.action)
    .where('sa.available', '=', true)
    .executeTakeFirst()
  if (!action) {
    issues.push({
      path: '/spec/action/action',
      message: `${area.action.service}.${area.action.action} is not available`,
    })
  }
  const names = [area.action.connection, ...area.reactions.map((r) => r.connection)].filter(
    (n): n is string => n !== undefined,
  )
  const connections = names.length
    ? await db
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
      issues.push({
        path,
        message: `unknown connection "${name}": create it with \`area connections add ${service}\``,
      })
      return null
    }
    if (found.service !== service) {
      issues.push({ path, message: `connection "${name}" is for ${found.service}, not ${service}` })
    }
    return found.id
  }
  const actionConnectionId = connection(
    area.action.connection,
    area.action.service,
    '/spec/action/connection',
  )

  const reactionRows = await db
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

export function changedParts(previous: JsonObject, area: NormalizedArea): string[] {
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
