/**
 * What applying an AREA would do, found with reads only: the outcome (created, updated,
 * unchanged), the top-level parts that change, and the catalog entries and connections it
 * references. `apply` writes from a plan; a dry run (`area diff`, `apply --dry-run`) stops at it.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { canonicalJson } from '../../engine/canonical-json.js'
import { type Issue, ValidationError } from '../../engine/errors.js'
import type { JsonObject } from '../../engine/types.js'
import type { NormalizedArea } from '../../spec/normalize.js'
import {
  findAvailableAction,
  findAvailableReactions,
  findConnectionsByName,
  type References,
} from '../../store/area-references.js'
import { type AreaWrite, findAreaToApply } from '../../store/areas.js'
import { AreaExistsError } from '../../store/errors.js'
import { type Ownership, ownerAfter, ownershipIssue } from './ownership.js'
import { protectSecrets, type SecretParamsContext } from './secret-params.js'

export type ApplyOutcome = 'created' | 'updated' | 'unchanged'

export interface AreaPlan extends AreaWrite {
  outcome: ApplyOutcome
  /** Top-level parts that change: description, labels, enabled, trigger, action, reactions, on_failure, flow keys, owner. */
  changes: string[]
}

export interface PlanOptions {
  /** `create` refuses an existing name; `apply` updates it. */
  mode: 'apply' | 'create'
  /** Lock the existing row until the transaction ends (when the plan is about to be written). */
  lock: boolean
  /** To resolve and redact secret params (secret-params.ts). */
  secretParams: SecretParamsContext
  /** The apply's owner (ownership.ts); without it the stored owner is kept and not checked. */
  ownership?: Ownership
}

export async function planArea(
  db: Kysely<Database>,
  userId: string,
  input: NormalizedArea,
  options: PlanOptions,
): Promise<AreaPlan> {
  const existing = await findAreaToApply(db, userId, input.name, { lock: options.lock })
  if (existing && options.mode === 'create') throw new AreaExistsError(input.name)
  const { ownership } = options
  const refused = existing && ownership && ownershipIssue(input.name, existing.owner, ownership)
  if (refused) throw new ValidationError([refused])
  // From here on the document shows secrets redacted, and so does its hash (what is compared).
  const area = await protectSecrets(db, options.secretParams, userId, input, existing?.id)
  const refs = await resolveReferences(db, userId, area)
  if (!existing)
    return { area, outcome: 'created', changes: [], existing, refs, owner: ownership?.owner ?? null }
  const owner = ownerAfter(existing.owner, ownership)
  const changes = [...changedParts(existing.spec, area), ...(owner === existing.owner ? [] : ['owner'])]
  const outcome = changes.length === 0 && existing.specHash === area.specHash ? 'unchanged' : 'updated'
  return { area, outcome, changes, existing, refs, owner }
}

/** Catalog ids and the user's connections; unknown names are validation errors. */
async function resolveReferences(
  db: Kysely<Database>,
  userId: string,
  area: NormalizedArea,
): Promise<References> {
  const issues: Issue[] = []
  const action = await findAvailableAction(db, area.action.service, area.action.action)
  if (!action) {
    issues.push({
      path: '/spec/action/action',
      message: `${area.action.service}.${area.action.action} is not available`,
    })
  }
  const names = [area.action.connection, ...area.reactions.map((r) => r.connection)].filter(
    (n): n is string => n !== undefined,
  )
  const connections = await findConnectionsByName(db, userId, names)
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

  const reactionRows = await findAvailableReactions(
    db,
    area.reactions.map((r) => r.service),
  )
  const reactions = area.reactions.map((reaction) => {
    const found = reactionRows.find((r) => r.service === reaction.service && r.key === reaction.reaction)
    if (!found) {
      issues.push({
        path: `${reaction.path}/reaction`,
        message: `${reaction.service}.${reaction.reaction} is not available`,
      })
    }
    return {
      serviceReactionId: found?.id ?? '',
      connectionId: connection(reaction.connection, reaction.service, `${reaction.path}/connection`),
    }
  })
  if (issues.length || !action) throw new ValidationError(issues)
  return { serviceActionId: action.id, actionConnectionId, reactions }
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
    ['on_failure', before.spec?.on_failure, after.spec.on_failure],
    ['concurrency', before.spec?.concurrency, after.spec.concurrency],
    ['rate_limit', before.spec?.rate_limit, after.spec.rate_limit],
    ['debounce', before.spec?.debounce, after.spec.debounce],
  ]
  return parts.filter(([, a, b]) => canonicalJson(a) !== canonicalJson(b)).map(([name]) => name)
}
