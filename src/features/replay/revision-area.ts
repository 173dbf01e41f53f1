/**
 * A replay with `--revision original` runs the document of the revision the AREA had when the
 * event came in (docs/architecture.md, "Replay"). Kept revisions hold secret params as
 * placeholders, resolved here against the secrets the AREA holds now, exactly as a rollback
 * does; each reaction keeps the id it has in `area_reactions` (by ref), so its outcomes and its
 * idempotency key are the event's as before. Whatever cannot be resolved is a refusal naming it.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { type LoadedArea, resolvePolicy } from '../../engine/area.js'
import { AreaError, formatIssues, ValidationError } from '../../engine/errors.js'
import type { Registry } from '../../engine/registry.js'
import type { SecretBox } from '../../secrets/secret-box.js'
import { normalizeArea } from '../../spec/normalize.js'
import { openCredentialsForRun, type RefreshConnection } from '../../store/connection-credentials.js'
import { findRevision } from '../../store/revisions.js'
import { protectSecrets } from '../areas/secret-params.js'

export interface RevisionAreaContext {
  db: Kysely<Database>
  registry: Registry
  secrets: SecretBox
  refresh?: RefreshConnection | undefined
}

/** The replay cannot run the revision asked for; the message says why and what to do instead. */
export class ReplayRefusedError extends AreaError {
  /** Why, without the advice. */
  readonly reason: string
  constructor(reason: string) {
    super('conflict', `${reason}; replay with --revision current to run the AREA as it stands`)
    this.reason = reason
  }
}

/**
 * The AREA `areaId` (its action `actionId`) as revision `revision` had it, ready for the engine.
 * Throws ReplayRefusedError when the revision is no longer kept, no longer valid against the
 * catalog, names a secret the AREA no longer holds, or a reaction or connection that is gone.
 */
export async function loadRevisionArea(
  ctx: RevisionAreaContext,
  target: { areaId: string; actionId: string; userId: string },
  revision: number,
): Promise<LoadedArea> {
  const { db } = ctx
  const { name } = await db
    .selectFrom('areas')
    .select('name')
    .where('id', '=', target.areaId)
    .executeTakeFirstOrThrow()
  const where = `revision ${revision} of AREA "${name}"`
  const spec = await findRevision(db, target.areaId, revision)
  if (!spec) {
    throw new ReplayRefusedError(
      `${where} is no longer kept (only the last AREA_MAX_REVISIONS_PER_AREA are; \`area history ${name}\` lists them)`,
    )
  }
  let area: ReturnType<typeof normalizeArea>
  try {
    area = await protectSecrets(db, ctx, target.userId, normalizeArea(spec, ctx.registry), target.areaId)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    // A placeholder the AREA no longer holds is the usual cause: its secret changed since.
    throw new ReplayRefusedError(`${where} cannot be run again: ${formatIssues(error.issues)}`)
  }
  const [reactionRows, connectionRows] = await Promise.all([
    db.selectFrom('area_reactions').select(['id', 'ref']).where('area_id', '=', target.areaId).execute(),
    db.selectFrom('user_services').select(['id', 'name']).where('user_id', '=', target.userId).execute(),
  ])
  const reactionIds = new Map(reactionRows.map((r) => [r.ref, r.id]))
  const connectionIds = new Map(connectionRows.map((c) => [c.name, c.id]))
  const auth = (connection: string | undefined, path: string) => {
    if (connection === undefined) return undefined
    const id = connectionIds.get(connection)
    if (!id)
      throw new ReplayRefusedError(`${where} uses the connection "${connection}" (${path}), which is gone`)
    return () => openCredentialsForRun(db, ctx.secrets, id, { refresh: ctx.refresh })
  }
  const actionAuth = auth(area.action.connection, '/spec/action/connection')
  return {
    id: target.areaId,
    name: area.name,
    userId: target.userId,
    action: {
      id: target.actionId,
      service: area.action.service,
      action: area.action.action,
      params: area.action.params,
      ...(actionAuth ? { auth: actionAuth } : {}),
      ...(area.action.when ? { when: area.action.when } : {}),
    },
    reactions: area.reactions.map((r, i) => {
      const id = reactionIds.get(r.ref)
      // Its outcomes went with its row: run under a new id, it could be sent a second time.
      if (!id)
        throw new ReplayRefusedError(`${where} has the reaction "${r.ref}", which the AREA no longer has`)
      const above = area.reactions[i - 1]
      const reactionAuth = auth(r.connection, `${r.path}/connection`)
      return {
        id,
        ref: r.ref,
        position: i,
        phase: r.phase,
        policy: resolvePolicy(r.policy, above?.phase === r.phase ? above.ref : undefined),
        service: r.service,
        reaction: r.reaction,
        params: r.params,
        ...(reactionAuth ? { auth: reactionAuth } : {}),
      }
    }),
  }
}
