/**
 * `area history` and `area rollback` (docs/architecture.md "Revisions"): the kept revisions of
 * one of the caller's AREAs, and re-applying one as a new revision through the ordinary apply,
 * so a rollback is planned, checked, audited and answered exactly like `area apply -f`.
 */
import { AreaError } from '../../engine/errors.js'
import { findAreaId } from '../../store/area-queries.js'
import { AreaNotFoundError } from '../../store/errors.js'
import { findRevision, listRevisions, previousRevision, type RevisionEntry } from '../../store/revisions.js'
import { applyDocuments, type BatchAnswer, type QuotaApplyContext } from './apply.js'

type StoreContext = Pick<QuotaApplyContext, 'store'>

async function areaIdOf(ctx: StoreContext, userId: string, name: string): Promise<string> {
  const id = await findAreaId(ctx.store.db, userId, name)
  if (!id) throw new AreaNotFoundError(name)
  return id
}

/** The AREA's kept revisions newest first; another user's AREA is not found, like a missing one. */
export async function areaHistory(ctx: StoreContext, userId: string, name: string): Promise<RevisionEntry[]> {
  return listRevisions(ctx.store.db, await areaIdOf(ctx, userId, name))
}

export interface RollbackInput {
  name: string
  /** The revision to go back to; default: the one before the current. */
  to?: number | undefined
  dryRun: boolean
}

export async function rollbackArea(
  ctx: QuotaApplyContext,
  userId: string,
  input: RollbackInput,
): Promise<BatchAnswer & { revision: number }> {
  const areaId = await areaIdOf(ctx, userId, input.name)
  const history = await listRevisions(ctx.store.db, areaId)
  const current = history[0]?.revision ?? 0
  const to = input.to ?? (await previousRevision(ctx.store.db, areaId, current))
  if (to === undefined) {
    throw new AreaError(
      'not_found',
      `AREA "${input.name}" has no revision before ${current} to roll back to; \`area history ${input.name}\` lists what is kept`,
    )
  }
  const spec = await findRevision(ctx.store.db, areaId, to)
  if (!spec) {
    const kept = history.map((r) => r.revision).join(', ')
    throw new AreaError(
      'not_found',
      `AREA "${input.name}" has no revision ${to} (kept: ${kept}); only the last AREA_MAX_REVISIONS_PER_AREA are kept`,
    )
  }
  // The stored document holds secrets as placeholders: the apply resolves them from the AREA
  // as it stands, and refuses one it no longer holds (the secret changed since that revision).
  const answer = await applyDocuments(ctx, {
    userId,
    documents: [spec],
    mode: 'apply',
    prune: false,
    dryRun: input.dryRun,
  })
  return { ...answer, revision: to }
}
