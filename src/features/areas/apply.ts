/**
 * Applying AREA documents: one by name (`PUT /v1/areas/:name`, `POST /v1/areas`), or a set as one
 * change (`area apply -f dir/ [--prune] [--dry-run]`). Every document is validated and planned
 * (plan.ts) before anything is written, then all are written in one transaction: one bad
 * document, or two with the same name, and nothing changes.
 */
import type { Kysely } from 'kysely'
import type { TenancySettings } from '../../daemon/config-tenancy.js'
import type { Database } from '../../db/schema.js'
import { type Issue, ValidationError } from '../../engine/errors.js'
import type { Registry } from '../../engine/registry.js'
import type { JsonObject } from '../../engine/types.js'
import type { AreaDocument } from '../../spec/document.js'
import { type NormalizedArea, normalizeArea } from '../../spec/normalize.js'
import type { AreaDetails } from '../../store/area-queries.js'
import { findAreasNotNamed, pruneAreas, type WriteContext, writeArea } from '../../store/areas.js'
import type { FeatureContext } from '../context.js'
import { type ApplyOutcome, type AreaPlan, planArea } from './plan.js'
import { checkReactionCeiling, reactionCeilingIssues } from './reaction-ceiling.js'
import { areaDetails } from './read.js'

export type ApplyContext = Pick<FeatureContext, 'store' | 'registry' | 'secrets'> & {
  /** The server's ceilings (the daemon's config); without them nothing is checked against one. */
  config?: { tenancy?: Pick<TenancySettings, 'reactionTimeoutSeconds'> }
}
export type ApplyMode = 'apply' | 'create'

export interface ApplyAreaInput {
  userId: string
  area: NormalizedArea
  /** `create` refuses an existing name; `apply` updates it. */
  mode: ApplyMode
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

/** Plans and writes one normalized AREA in one transaction. */
export async function applyArea(ctx: ApplyContext, input: ApplyAreaInput): Promise<ApplyAreaResult> {
  return ctx.store.db.transaction().execute(async (trx) => {
    const plan = await planArea(trx, input.userId, input.area, { mode: input.mode, lock: true })
    return writePlan(trx, plan, writeContext(ctx, input.userId, input.now))
  })
}

export interface ApplyDocumentOptions {
  mode: ApplyMode
  /** The name the caller addressed (`PUT /v1/areas/:name`): the document must carry it. */
  name?: string
}

/** One document as the API receives it: normalized, applied, and the AREA as it now stands. */
export async function applyDocument(
  ctx: ApplyContext,
  userId: string,
  document: AreaDocument,
  options: ApplyDocumentOptions,
): Promise<{ outcome: ApplyOutcome; changes: string[]; area: AreaDetails }> {
  const { name } = options
  if (name !== undefined && document.metadata.name !== name) {
    throw new ValidationError([
      {
        path: '/metadata/name',
        message: `must be "${name}", the name in the URL (got "${document.metadata.name}")`,
      },
    ])
  }
  const area = normalizeArea(document, ctx.registry)
  checkReactionCeiling(area, ctx.registry, ctx.config?.tenancy?.reactionTimeoutSeconds)
  const result = await applyArea(ctx, { userId, area, mode: options.mode })
  return {
    outcome: result.outcome,
    changes: result.changes,
    area: await areaDetails(ctx, userId, area.name),
  }
}

export type BatchOutcome = ApplyOutcome | 'deleted'

export interface BatchResult {
  name: string
  outcome: BatchOutcome
  changes: string[]
  /** Dry runs only: the stored canonical document (absent when created). */
  before?: JsonObject
  /** Dry runs only: the canonical document after the apply (absent when deleted). */
  after?: JsonObject
}

export interface BatchAnswer {
  results: BatchResult[]
  /** Names deleted by `prune` (also listed in `results` as `deleted`). */
  pruned: string[]
}

export interface ApplyDocumentsInput {
  userId: string
  documents: readonly unknown[]
  mode: ApplyMode
  /** Delete the user's AREAs whose names are not among the documents. */
  prune: boolean
  /** Plan and answer, write nothing. */
  dryRun: boolean
}

export async function applyDocuments(ctx: ApplyContext, input: ApplyDocumentsInput): Promise<BatchAnswer> {
  const areas = normalizeAll(input.documents, ctx.registry)
  const ceiling = ctx.config?.tenancy?.reactionTimeoutSeconds
  const overCeiling = areas.flatMap((area, i) =>
    reactionCeilingIssues(area, ctx.registry, ceiling, `/documents/${i}`),
  )
  if (overCeiling.length) throw new ValidationError(overCeiling)
  if (input.prune && areas.length === 0) {
    throw new ValidationError([
      {
        path: '/documents',
        message: 'prune with no documents would delete every AREA; delete them by name instead',
      },
    ])
  }
  const lock = !input.dryRun
  const run = async (db: Kysely<Database>): Promise<BatchAnswer> => {
    const plans = await planAll(db, input.userId, areas, { mode: input.mode, lock })
    const names = areas.map((a) => a.name)
    const doomed = input.prune ? await findAreasNotNamed(db, input.userId, names, { lock }) : []
    const pruned = doomed.map((d) => d.name)
    if (input.dryRun) {
      return {
        results: [
          ...plans.map((plan) => ({
            name: plan.area.name,
            outcome: plan.outcome,
            changes: plan.changes,
            ...(plan.existing ? { before: plan.existing.spec } : {}),
            after: plan.area.document as unknown as JsonObject,
          })),
          ...doomed.map((d) => ({ name: d.name, outcome: 'deleted' as const, changes: [], before: d.spec })),
        ],
        pruned,
      }
    }
    const context = writeContext(ctx, input.userId)
    const results: BatchResult[] = []
    for (const plan of plans) {
      const written = await writePlan(db, plan, context)
      results.push({ name: written.name, outcome: written.outcome, changes: written.changes })
    }
    await pruneAreas(db, input.userId, doomed)
    for (const name of pruned) results.push({ name, outcome: 'deleted', changes: [] })
    return { results, pruned }
  }
  // A dry run only reads: no transaction, no locks held.
  return input.dryRun ? run(ctx.store.db) : ctx.store.db.transaction().execute((trx) => run(trx))
}

function writeContext(ctx: ApplyContext, userId: string, now?: Date): WriteContext {
  return { userId, registry: ctx.registry, secrets: ctx.secrets, now }
}

/** Writes a plan made in the same transaction with `lock: true`; an unchanged plan writes nothing. */
async function writePlan(
  trx: Kysely<Database>,
  plan: AreaPlan,
  context: WriteContext,
): Promise<ApplyAreaResult> {
  const { area, existing } = plan
  if (existing && plan.outcome === 'unchanged') {
    return {
      outcome: 'unchanged',
      id: existing.id,
      name: area.name,
      revision: existing.revision,
      changes: [],
    }
  }
  const row = await writeArea(trx, plan, context)
  return {
    outcome: existing ? 'updated' : 'created',
    id: row.id,
    name: area.name,
    revision: row.revision,
    changes: plan.changes,
  }
}

/** Every document normalized; all issues of all documents at once, prefixed `/documents/<i>`. */
function normalizeAll(documents: readonly unknown[], registry: Registry): NormalizedArea[] {
  const issues: Issue[] = []
  const areas: NormalizedArea[] = []
  const firstIndex = new Map<string, number>()
  documents.forEach((document, index) => {
    try {
      const area = normalizeArea(document, registry)
      const first = firstIndex.get(area.name)
      if (first !== undefined) {
        issues.push({
          path: `/documents/${index}/metadata/name`,
          message: `"${area.name}" is also the name of document ${first}: names must be unique`,
        })
      } else firstIndex.set(area.name, index)
      areas.push(area)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      issues.push(...prefixed(error.issues, index))
    }
  })
  if (issues.length) throw new ValidationError(issues)
  return areas
}

/** Plans every AREA, collecting the store's validation issues (connections…) of all of them. */
async function planAll(
  db: Kysely<Database>,
  userId: string,
  areas: NormalizedArea[],
  options: { mode: ApplyMode; lock: boolean },
): Promise<AreaPlan[]> {
  const issues: Issue[] = []
  const plans: AreaPlan[] = []
  for (const [index, area] of areas.entries()) {
    try {
      plans.push(await planArea(db, userId, area, options))
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      issues.push(...prefixed(error.issues, index))
    }
  }
  if (issues.length) throw new ValidationError(issues)
  return plans
}

function prefixed(issues: Issue[], index: number): Issue[] {
  return issues.map((issue) => ({ path: `/documents/${index}${issue.path}`, message: issue.message }))
}
