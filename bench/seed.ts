/** The benchmark's data: migrations, the catalog, one user and one webhook AREA. */

import { migrate } from '../src/db/migrate.js'
import { openStore } from '../src/db/open.js'
import { createRegistry } from '../src/engine/registry.js'
import { applyArea } from '../src/features/areas/apply.js'
import { createSecretBox } from '../src/secrets/secret-box.js'
import { builtinServices } from '../src/services/index.js'
import { normalizeArea } from '../src/spec/normalize.js'
import { syncCatalog } from '../src/store/catalog.js'

export interface SeededHook {
  userId: string
  hookJobId: string
  areaActionId: string
  /** The decrypted `whsec_…` secret the load generator signs with. */
  secret: string
}

/**
 * A user and a `webhook.received` AREA whose `http.request` reactions (one unless told) post the
 * event to `sinkUrl`.
 */
export async function seedWebhookArea(
  databaseUrl: string,
  encryptionKey: Buffer,
  sinkUrl: string,
  options: {
    name?: string
    email?: string
    body?: Record<string, string>
    reactions?: number
    /** Params added to every reaction (e.g. headers, a timeout). */
    params?: Record<string, unknown>
    /** An existing user's id: a second AREA of the same tenant. */
    userId?: string
  } = {},
): Promise<SeededHook> {
  const store = await openStore({ databaseUrl })
  try {
    await migrate(store)
    const registry = createRegistry(builtinServices)
    await syncCatalog(store.db, registry)
    const secrets = createSecretBox(encryptionKey)
    const user = options.userId
      ? { id: options.userId }
      : await store.db
          .insertInto('users')
          .values({ email: options.email ?? 'bench@example.test' })
          .returning('id')
          .executeTakeFirstOrThrow()
    const document = {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: options.name ?? 'bench-webhook' },
      spec: {
        action: { service: 'webhook', action: 'received' },
        reactions: Array.from({ length: options.reactions ?? 1 }, (_, i) => ({
          id: i === 0 ? 'post' : `post_${i + 1}`,
          service: 'http',
          reaction: 'request',
          params: {
            url: `${sinkUrl}/reaction`,
            body: options.body ?? { type: '{{ trigger.type }}', amount: '{{ trigger.data.amount }}' },
            ...options.params,
          },
        })),
      },
    }
    const applied = await applyArea(
      { store, registry, secrets },
      { userId: user.id, area: normalizeArea(document, registry), mode: 'create' },
    )
    const hook = await store.db
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .select(['h.id', 'h.area_action_id', 'h.webhook_secret_encrypted'])
      .where('aa.area_id', '=', applied.id)
      .executeTakeFirstOrThrow()
    return {
      userId: user.id,
      hookJobId: hook.id,
      areaActionId: hook.area_action_id,
      secret: secrets.open(hook.webhook_secret_encrypted!),
    }
  } finally {
    await store.close()
  }
}

/** hook_logs rows of one hook: what the ingest committed. */
export async function countHookLogs(databaseUrl: string, hookJobId: string): Promise<number> {
  const store = await openStore({ databaseUrl })
  try {
    const row = await store.db
      .selectFrom('hook_logs')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('hook_job_id', '=', hookJobId)
      .executeTakeFirstOrThrow()
    return Number(row.count)
  } finally {
    await store.close()
  }
}
