/**
 * Applying AREA documents: one by name (`PUT /v1/areas/:name`, `POST /v1/areas`), or a set as one
 * change (`area apply -f dir/ [--prune] [--dry-run]`). Every document is validated and planned
 * (plan.ts), and held to the quotas (quotas.ts), before anything is written, then all are written
 * in one transaction: one bad document, or two with the same name, and nothing changes.
 *
 * Except on the embedded database with more than APPLY_CHUNK documents: PGlite has one
 * connection, and a transaction holds it, so one long apply would stall every other user's
 * request (500 documents held it for 15 s). There the set is validated and planned as a whole
 * first, without a transaction (a bad document still writes nothing), then written in
 * transactions of APPLY_CHUNK documents, yielding the connection in between. The trade-off: a
 * failure of the database itself midway, or a connection deleted by a concurrent request, leaves
 * the chunks before it applied; applying the same files again completes the change
 * (docs/architecture.md, "Bad input and quotas").
 */
import type { Kysely } from 'kysely'
import type { LimitsSettings } from '../../daemon/config-limits.js'
import type { TenancySettings } from '../../daemon/config-tenancy.js'
import type { Database } from '../../db/schema.js'
import { type Issue, ValidationError } from '../../engine/errors.js'
import type { Registry } from '../../engine/registry.js'
import type { JsonObject } from '../../engine/types.js'
import type { AreaDocument } from '../../spec/document.js'
import { type NormalizedArea, normalizeArea } from '../../spec/normalize.js'
import type { AreaDetails } from '../../store/area-queries.js'
import { findAreasNotNamed, pruneAreas, type WriteContext, writeArea } from '../../store/areas.js'
import { recordRevision } from '../../store/revisions.js'
import type { FeatureContext } from '../context.js'
import { type Ownership, ownerNameProblem } from './ownership.js'
import { type ApplyOutcome, type AreaPlan, type PlanOptions, planArea } from './plan.js'
import { checkAreaCount, checkDocumentCount, pollIntervalIssue } from './quotas.js'
import { checkReactionCeiling, reactionCeilingIssues } from './reaction-ceiling.js'
import { areaDetails, selectorOf } from './read.js'
import { keptRevisions } from './revisions-kept.js'
import { shownDocument } from './secret-params.js'

export type ApplyContext = Pick<FeatureContext, 'store' | 'registry' | 'secrets'>
/**
 * What the API's applies need: the quotas, and the server's reaction ceiling (without it nothing
 * is checked against one).
 */
export type QuotaApplyContext = ApplyContext & {
  config: { limits: LimitsSettings; tenancy?: Pick<TenancySettings, 'reactionTimeoutSeconds'> }
}
export type ApplyMode = 'apply' | 'create'

/** Documents per transaction when an apply must yield the embedded database's one connection. */
export const APPLY_CHUNK = 10

export interface ApplyAreaInput {
  userId: string
  area: NormalizedArea
  /** `create` refuses an existing name; `apply` updates it. */
  mode: ApplyMode
  now?: Date
  /** Held to AREA_MAX_AREAS_PER_USER when given. */
  limits?: LimitsSettings
  /** The apply's owner (ownership.ts); undefined keeps the stored owner, unchecked. */
  ownership?: Ownership
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
    const plan = await planArea(trx, input.userId, input.area, {
      mode: input.mode,
      lock: true,
      secretParams: ctx,
      ownership: input.ownership,
    })
    if (input.limits && plan.outcome === 'created') {
      await checkAreaCount(trx, input.userId, { created: 1, deleted: 0 }, input.limits, { lock: true })
    }
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
  ctx: QuotaApplyContext,
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
  const tooOften = pollIntervalIssue(area, ctx.registry, ctx.config.limits)
  if (tooOften) throw new ValidationError([tooOften])
  checkReactionCeiling(area, ctx.registry, ctx.config.tenancy?.reactionTimeoutSeconds)
  // One document by name declares no owner: an AREA that has one is refused (ownership.ts).
  const result = await applyArea(ctx, {
    userId,
    area,
    mode: options.mode,
    limits: ctx.config.limits,
    ownership: { owner: null, take: false },
  })
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
  /** Dry runs, and updates: the stored canonical document (absent when created). */
  before?: JsonObject
  /** Dry runs, and updates: the canonical document after the apply (absent when deleted). */
  after?: JsonObject
  /** When the owner changes (ownership.ts): before and after. */
  owner?: { before: string | null; after: string | null }
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
  /** With prune: only AREAs matching this selector (kubectl syntax) are deleted. */
  labelSelector?: string
  /** Who manages these AREAs (ownership.ts): recorded on them, and prune keeps to them. */
  owner?: string
  /** Move AREAs owned by someone else to `owner` instead of refusing them. */
  takeOwnership?: boolean
}

export async function applyDocuments(
  ctx: QuotaApplyContext,
  input: ApplyDocumentsInput,
): Promise<BatchAnswer> {
  const { limits } = ctx.config
  checkDocumentCount(input.documents.length, limits)
  // A bad selector or owner is the first thing said, whatever else is wrong (planSet parses it again).
  selectorOf(input.labelSelector, '/labelSelector')
  const badOwner = input.owner === undefined ? undefined : ownerNameProblem(input.owner)
  if (badOwner) throw new ValidationError([{ path: '/owner', message: badOwner }])
  const areas = await normalizeAll(input.documents, ctx.registry, limits)
  const ceiling = ctx.config.tenancy?.reactionTimeoutSeconds
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
  // A dry run only reads: no transaction, no locks held.
  if (input.dryRun) {
    return planSet(ctx, ctx.store.db, input, areas, { lock: false }).then((set) =>
      dryRunAnswer(ctx, input.userId, set),
    )
  }
  if (ctx.store.driver === 'pglite' && areas.length > APPLY_CHUNK) return applyInChunks(ctx, input, areas)
  return ctx.store.db.transaction().execute(async (trx) => {
    const set = await planSet(ctx, trx, input, areas, { lock: true })
    await checkAreaCount(trx, input.userId, countChange(set), limits, { lock: true })
    return writeSet(trx, ctx, input.userId, set)
  })
}

interface PlannedSet {
  plans: AreaPlan[]
  /** AREAs `prune` deletes. */
  doomed: { id: string; name: string; spec: JsonObject }[]
}

async function planSet(
  ctx: ApplyContext,
  db: Kysely<Database>,
  input: ApplyDocumentsInput,
  areas: NormalizedArea[],
  options: { lock: boolean },
): Promise<PlannedSet> {
  const plans = await planAll(db, input.userId, areas, {
    mode: input.mode,
    lock: options.lock,
    secretParams: ctx,
    ownership: ownershipOf(input),
  })
  const doomed = input.prune ? await findDoomed(db, input, areas, options.lock) : []
  return { plans, doomed }
}

function ownershipOf(input: ApplyDocumentsInput): Ownership {
  return { owner: input.owner ?? null, take: input.takeOwnership ?? false }
}

/** What `prune` deletes: the user's AREAs not in the set, matching the selector, of the same owner. */
function findDoomed(
  db: Kysely<Database>,
  input: ApplyDocumentsInput,
  areas: NormalizedArea[],
  lock: boolean,
) {
  const names = areas.map((a) => a.name)
  const selector = selectorOf(input.labelSelector, '/labelSelector')
  return findAreasNotNamed(db, input.userId, names, { lock, selector, owner: input.owner ?? null })
}

function countChange(set: PlannedSet): { created: number; deleted: number } {
  return { created: set.plans.filter((p) => p.outcome === 'created').length, deleted: set.doomed.length }
}

function dryRunAnswer(ctx: ApplyContext, userId: string, { plans, doomed }: PlannedSet): BatchAnswer {
  return {
    results: [
      ...plans.map((plan) => ({
        name: plan.area.name,
        outcome: plan.outcome,
        changes: plan.changes,
        ...(plan.existing ? { before: shownDocument(ctx, userId, plan.existing.spec) } : {}),
        after: plan.area.document as unknown as JsonObject,
        ...ownerChange(plan),
      })),
      ...doomed.map((d) => ({
        name: d.name,
        outcome: 'deleted' as const,
        changes: [],
        before: shownDocument(ctx, userId, d.spec),
      })),
    ],
    pruned: doomed.map((d) => d.name),
  }
}

async function writeSet(
  trx: Kysely<Database>,
  ctx: ApplyContext,
  userId: string,
  { plans, doomed }: PlannedSet,
): Promise<BatchAnswer> {
  const context = writeContext(ctx, userId)
  const results: BatchResult[] = []
  for (const plan of plans) {
    const written = await writePlan(trx, plan, context)
    // An update carries both documents, so the CLI can print which paths it changed.
    const documents =
      written.outcome === 'updated' && plan.existing
        ? {
            before: shownDocument(ctx, userId, plan.existing.spec),
            after: plan.area.document as unknown as JsonObject,
          }
        : {}
    results.push({
      name: written.name,
      outcome: written.outcome,
      changes: written.changes,
      ...documents,
      ...ownerChange(plan),
    })
  }
  await pruneAreas(trx, userId, doomed)
  const pruned = doomed.map((d) => d.name)
  for (const name of pruned) results.push({ name, outcome: 'deleted', changes: [] })
  return { results, pruned }
}

/** `owner` for a result whose plan moves the AREA to another owner (or to none). */
function ownerChange(plan: AreaPlan): Pick<BatchResult, 'owner'> {
  if (!plan.existing || plan.owner === undefined || plan.owner === plan.existing.owner) return {}
  return { owner: { before: plan.existing.owner, after: plan.owner } }
}

/**
 * The embedded database's large apply (see the header): the whole set validated and planned
 * without holding the connection, then written APPLY_CHUNK documents per transaction, each chunk
 * planned again under its locks and counted against the quota, the prune last.
 */
async function applyInChunks(
  ctx: QuotaApplyContext,
  input: ApplyDocumentsInput,
  areas: NormalizedArea[],
): Promise<BatchAnswer> {
  const { db } = ctx.store
  const { limits } = ctx.config
  const whole = await planSet(ctx, db, input, areas, { lock: false })
  await checkAreaCount(db, input.userId, countChange(whole), limits, { lock: false })
  const results: BatchResult[] = []
  for (let start = 0; start < areas.length; start += APPLY_CHUNK) {
    const chunk = areas.slice(start, start + APPLY_CHUNK)
    const written = await db.transaction().execute(async (trx) => {
      const plans = await planAll(
        trx,
        input.userId,
        chunk,
        { mode: input.mode, lock: true, secretParams: ctx, ownership: ownershipOf(input) },
        start,
      )
      const created = plans.filter((p) => p.outcome === 'created').length
      // What prune will delete at the end already counts: the set as a whole fits the quota.
      const deleted = whole.doomed.length
      await checkAreaCount(trx, input.userId, { created, deleted }, limits, { lock: true })
      return writeSet(trx, ctx, input.userId, { plans, doomed: [] })
    })
    results.push(...written.results)
    await yieldTurn()
  }
  if (whole.doomed.length === 0) return { results, pruned: [] }
  const pruned = await db.transaction().execute(async (trx) => {
    const doomed = await findDoomed(trx, input, areas, true)
    return writeSet(trx, ctx, input.userId, { plans: [], doomed })
  })
  return { results: [...results, ...pruned.results], pruned: pruned.pruned }
}

/** Lets requests that queued for the connection meanwhile have it before the next chunk. */
function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function writeContext(ctx: ApplyContext, userId: string, now?: Date): WriteContext {
  return { userId, registry: ctx.registry, secrets: ctx.secrets, now, keepRevisions: keptRevisions(ctx) }
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
  await recordRevision(
    trx,
    {
      areaId: row.id,
      revision: row.revision,
      spec: area.document as unknown as JsonObject,
      specHash: area.specHash,
      changes: plan.changes,
    },
    context.keepRevisions,
  )
  return {
    outcome: existing ? 'updated' : 'created',
    id: row.id,
    name: area.name,
    revision: row.revision,
    changes: plan.changes,
  }
}

/**
 * Every document normalized and held to the polling minimum; all issues of all documents at
 * once, prefixed `/documents/<i>`. Yields now and then: hundreds of documents are a lot of
 * validation to do in one turn of the event loop.
 */
async function normalizeAll(
  documents: readonly unknown[],
  registry: Registry,
  limits: LimitsSettings,
): Promise<NormalizedArea[]> {
  const issues: Issue[] = []
  const areas: NormalizedArea[] = []
  const firstIndex = new Map<string, number>()
  for (const [index, document] of documents.entries()) {
    if (index > 0 && index % APPLY_CHUNK === 0) await yieldTurn()
    try {
      const area = normalizeArea(document, registry)
      const first = firstIndex.get(area.name)
      if (first !== undefined) {
        issues.push({
          path: `/documents/${index}/metadata/name`,
          message: `"${area.name}" is also the name of document ${first}: names must be unique`,
        })
      } else firstIndex.set(area.name, index)
      const tooOften = pollIntervalIssue(area, registry, limits)
      if (tooOften) issues.push(...prefixed([tooOften], index))
      areas.push(area)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      issues.push(...prefixed(error.issues, index))
    }
  }
  if (issues.length) throw new ValidationError(issues)
  return areas
}

/** Plans every AREA, collecting the store's validation issues (connections…) of all of them. */
async function planAll(
  db: Kysely<Database>,
  userId: string,
  areas: NormalizedArea[],
  options: PlanOptions,
  /** The index of `areas[0]` among the documents, for the issues' paths. */
  offset = 0,
): Promise<AreaPlan[]> {
  const issues: Issue[] = []
  const plans: AreaPlan[] = []
  for (const [index, area] of areas.entries()) {
    try {
      plans.push(await planArea(db, userId, area, options))
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      issues.push(...prefixed(error.issues, offset + index))
    }
  }
  if (issues.length) throw new ValidationError(issues)
  return plans
}

function prefixed(issues: Issue[], index: number): Issue[] {
  return issues.map((issue) => ({ path: `/documents/${index}${issue.path}`, message: issue.message }))
}
