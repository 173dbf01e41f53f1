/**
 * Applies a set of AREA documents as one change (`area apply -f dir/ [--prune] [--dry-run]`):
 * every document is validated and planned before anything is written, then all are written in
 * one transaction. One bad document, or two documents with the same name, and nothing changes.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { type Issue, ValidationError } from '../engine/errors.js'
import type { Registry } from '../engine/registry.js'
import type { JsonObject } from '../engine/types.js'
import { type NormalizedArea, normalizeArea } from '../spec/normalize.js'
import { type AreaPlan, planArea } from './area-plan.js'
import { type WriteContext, writeAreaPlan } from './areas.js'
import { recordAudit } from './audit.js'

export type BatchOutcome = 'created' | 'updated' | 'unchanged' | 'deleted'

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

export interface ApplyDocumentsInput extends WriteContext {
  documents: readonly unknown[]
  mode: 'apply' | 'create'
  /** Delete the user's AREAs whose names are not among the documents. */
  prune: boolean
  /** Plan and answer, write nothing. */
  dryRun: boolean
}

export async function applyAreaDocuments(
  db: Kysely<Database>,
  input: ApplyDocumentsInput,
): Promise<BatchAnswer> {
  const areas = normalizeAll(input.documents, input.registry)
  if (input.prune && areas.length === 0) {
    throw new ValidationError([
      {
        path: '/documents',
        message: 'prune with no documents would delete every AREA; delete them by name instead',
      },
    ])
  }
  const run = async (db: Kysely<Database>): Promise<BatchAnswer> => {
    const plans = await planAll(db, input.userId, areas, { mode: input.mode, lock: !input.dryRun })
    const names = areas.map((a) => a.name)
    const doomed = input.prune ? await prunable(db, input.userId, names, !input.dryRun) : []
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
        pruned: doomed.map((d) => d.name),
      }
    }
    const results: BatchResult[] = []
    for (const plan of plans) {
      const written = await writeAreaPlan(db, plan, input)
      results.push({ name: written.name, outcome: written.outcome, changes: written.changes })
    }
    if (doomed.length) {
      await db
        .deleteFrom('areas')
        .where(
          'id',
          'in',
          doomed.map((d) => d.id),
        )
        .execute()
      for (const d of doomed) {
        await recordAudit(db, {
          userId: input.userId,
          action: 'area.deleted',
          target: `area/${d.name}`,
          metadata: { pruned: true },
        })
      }
    }
    for (const d of doomed) results.push({ name: d.name, outcome: 'deleted', changes: [] })
    return { results, pruned: doomed.map((d) => d.name) }
  }
  // A dry run only reads: no transaction, no locks held.
  return input.dryRun ? run(db) : db.transaction().execute((trx) => run(trx))
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
  options: { mode: 'apply' | 'create'; lock: boolean },
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

async function prunable(db: Kysely<Database>, userId: string, keep: string[], lock: boolean) {
  let query = db
    .selectFrom('areas')
    .select(['id', 'name', 'spec'])
    .where('user_id', '=', userId)
    .where('name', 'not in', keep)
    .orderBy('name')
  if (lock) query = query.forUpdate()
  const rows = await query.execute()
  return rows.map((r) => ({ id: r.id, name: r.name, spec: r.spec as JsonObject }))
}

function prefixed(issues: Issue[], index: number): Issue[] {
  return issues.map((issue) => ({ path: `/documents/${index}${issue.path}`, message: issue.message }))
}
