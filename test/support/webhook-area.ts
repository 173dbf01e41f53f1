/** A `webhook.received` AREA applied through the store, with its hook job and decrypted secret. */
import type { DaemonContext } from '../../src/daemon/context.js'
import { normalizeArea } from '../../src/spec/normalize.js'
import { applyArea } from '../../src/store/areas.js'

export interface WebhookArea {
  areaId: string
  areaActionId: string
  hookJobId: string
  /** The decrypted `whsec_…` signing secret. */
  secret: string
}

/** Applies (creates or updates) `name` for `userId`; its reaction posts to an address nobody serves. */
export async function applyWebhookArea(
  ctx: DaemonContext,
  userId: string,
  name: string,
  options: { enabled?: boolean; params?: Record<string, unknown> } = {},
): Promise<WebhookArea> {
  const document = {
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
  }
  const applied = await applyArea(ctx.store.db, {
    userId,
    area: normalizeArea(document, ctx.registry),
    mode: 'apply',
    registry: ctx.registry,
    secrets: ctx.secrets,
  })
  const row = await ctx.store.db
    .selectFrom('hook_jobs as h')
    .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
    .select(['h.id', 'h.webhook_secret_encrypted', 'aa.id as areaActionId'])
    .where('aa.area_id', '=', applied.id)
    .executeTakeFirstOrThrow()
  return {
    areaId: applied.id,
    areaActionId: row.areaActionId,
    hookJobId: row.id,
    secret: ctx.secrets.open(row.webhook_secret_encrypted!),
  }
}
