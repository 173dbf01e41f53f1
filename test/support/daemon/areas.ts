/**
 * AREA documents applied through the store as `area apply` applies them, and the hook job each
 * AREA's action gets: what tests of the worker and of the webhook route start from.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../../src/db/schema.js'
import {
  type ApplyAreaResult,
  type ApplyContext,
  type ApplyMode,
  applyArea,
} from '../../../src/features/areas/apply.js'
import { normalizeArea } from '../../../src/spec/normalize.js'

/** Normalizes an AREA document and applies it for `userId` (mode `create` refuses an existing name). */
export function applyAreaDocument(
  ctx: ApplyContext,
  userId: string,
  document: unknown,
  mode: ApplyMode = 'apply',
): Promise<ApplyAreaResult> {
  return applyArea(ctx, { userId, area: normalizeArea(document, ctx.registry), mode })
}

/** The hook job of an AREA's action (one per AREA), with the action's and the AREA's ids. */
export function hookJobOf(db: Kysely<Database>, areaId: string) {
  return db
    .selectFrom('hook_jobs as h')
    .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
    .select([
      'h.id',
      'h.area_action_id',
      'h.next_run_at',
      'h.state',
      'h.baseline_done',
      'h.webhook_secret_encrypted',
      'aa.area_id',
    ])
    .where('aa.area_id', '=', areaId)
    .executeTakeFirstOrThrow()
}

export type HookJobOf = Awaited<ReturnType<typeof hookJobOf>>

export interface WebhookArea {
  areaId: string
  areaActionId: string
  hookJobId: string
  /** The decrypted `whsec_…` signing secret. */
  secret: string
}

/**
 * Applies (creates or updates) a `webhook.received` AREA named `name`; its reaction posts to an
 * address nobody serves.
 */
export async function applyWebhookArea(
  ctx: ApplyContext,
  userId: string,
  name: string,
  options: { enabled?: boolean; params?: Record<string, unknown> } = {},
): Promise<WebhookArea> {
  const applied = await applyAreaDocument(ctx, userId, {
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name },
    spec: {
      enabled: options.enabled ?? true,
      action: { service: 'webhook', action: 'received', params: options.params ?? {} },
      reactions: [
        { id: 'post', service: 'http', reaction: 'request', params: { url: 'http://127.0.0.1:9/sink' } },
      ],
    },
  })
  const row = await hookJobOf(ctx.store.db, applied.id)
  return {
    areaId: applied.id,
    areaActionId: row.area_action_id,
    hookJobId: row.id,
    secret: ctx.secrets.open(row.webhook_secret_encrypted!),
  }
}
