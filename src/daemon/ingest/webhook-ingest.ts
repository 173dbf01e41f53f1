/**
 * The webhook ingest pipeline of one API process: hook lookups through a short-lived cache, a
 * per-hook rate limit, batched commits to hook_logs, then batched enqueues. Built once per API
 * and shared by its requests; closing it drains what is in flight.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { isDatabaseUnavailable } from '../../db/unavailable.js'
import type { Logger } from '../../engine/types.js'
import type { SecretBox } from '../../secrets/secret-box.js'
import { findWebhookHook, insertWebhookEvents } from '../../store/webhook-events.js'
import { createOutageLog, type OutageLog } from '../outage-log.js'
import type { ExecutionJobData } from '../queue/types.js'
import { enqueueTraced } from '../tracing/enqueue.js'
import { createExecutionEnqueuer, DEFAULT_ENQUEUE, type ExecutionEnqueuer } from './execution-enqueuer.js'
import {
  createHookCache,
  DEFAULT_HOOK_CACHE_MAX_ENTRIES,
  DEFAULT_HOOK_CACHE_TTL_MS,
  type HookCache,
  type HookTarget,
} from './hook-cache.js'
import { createIngestBatcher, DEFAULT_BATCH, type IngestBatcher } from './ingest-batcher.js'
import {
  createRateLimiter,
  DEFAULT_RATE_BURST,
  DEFAULT_RATE_PER_SECOND,
  type RateLimiter,
} from './rate-limiter.js'

export interface IngestSettings {
  /** How long a hook lookup is reused; also how long an enable or a new secret takes to apply. */
  hookCacheTtlMs: number
  hookCacheMaxEntries: number
  batchMaxRows: number
  batchMaxBytes: number
  batchMaxWaitMs: number
  /** Batches committing at once, each on its own pooled connection. */
  maxConcurrentBatches: number
  maxPendingEvents: number
  /** Per hook and API process; 0 turns the limit off. */
  rateLimitPerSecond: number
  rateLimitBurst: number
  enqueueMaxBulk: number
  enqueueMaxPending: number
}

export const DEFAULT_INGEST_SETTINGS: IngestSettings = {
  hookCacheTtlMs: DEFAULT_HOOK_CACHE_TTL_MS,
  hookCacheMaxEntries: DEFAULT_HOOK_CACHE_MAX_ENTRIES,
  batchMaxRows: DEFAULT_BATCH.maxBatchRows,
  batchMaxBytes: DEFAULT_BATCH.maxBatchBytes,
  batchMaxWaitMs: DEFAULT_BATCH.maxWaitMs,
  maxConcurrentBatches: DEFAULT_BATCH.maxConcurrentBatches,
  maxPendingEvents: DEFAULT_BATCH.maxPendingEvents,
  rateLimitPerSecond: DEFAULT_RATE_PER_SECOND,
  rateLimitBurst: DEFAULT_RATE_BURST,
  enqueueMaxBulk: DEFAULT_ENQUEUE.maxBulk,
  enqueueMaxPending: DEFAULT_ENQUEUE.maxPending,
}

export interface WebhookIngestDeps {
  db: Kysely<Database>
  secrets: SecretBox
  enqueueExecutions(jobs: ExecutionJobData[]): Promise<void>
  logger: Logger
  /** The API's record of database outages, shared with its other routes; else one of its own. */
  databaseOutage?: OutageLog
}

export interface WebhookIngest {
  hooks: HookCache
  limiter: RateLimiter
  batcher: IngestBatcher
  enqueuer: ExecutionEnqueuer
  /** One warn line when commits start failing for want of the database, one when they work again. */
  databaseOutage: OutageLog
  /** Waits until every submitted event is committed and its job enqueued (or left to the sweeper). */
  drain(): Promise<void>
  /** Refuses new events and drains. */
  close(): Promise<void>
}

export function createWebhookIngest(
  deps: WebhookIngestDeps,
  settings: Partial<IngestSettings> = {},
): WebhookIngest {
  const s = { ...DEFAULT_INGEST_SETTINGS, ...settings }
  const hooks = createHookCache({
    ttlMs: s.hookCacheTtlMs,
    maxEntries: s.hookCacheMaxEntries,
    load: (hookJobId) => loadHookTarget(deps, hookJobId),
  })
  const enqueuer = createExecutionEnqueuer({
    enqueue: (jobs) => enqueueTraced(jobs, (carried) => deps.enqueueExecutions(carried)),
    logger: deps.logger,
    maxBulk: s.enqueueMaxBulk,
    maxPending: s.enqueueMaxPending,
  })
  const batcher = createIngestBatcher({
    write: (events) => insertWebhookEvents(deps.db, events),
    onAccepted: (accepted) => enqueuer.push(accepted),
    isDatabaseDown: (error) => isDatabaseUnavailable(error),
    maxBatchRows: s.batchMaxRows,
    maxBatchBytes: s.batchMaxBytes,
    maxWaitMs: s.batchMaxWaitMs,
    maxConcurrentBatches: s.maxConcurrentBatches,
    maxPendingEvents: s.maxPendingEvents,
  })
  const limiter = createRateLimiter({ perSecond: s.rateLimitPerSecond, burst: s.rateLimitBurst })
  const databaseOutage =
    deps.databaseOutage ??
    createOutageLog(deps.logger, { dependency: 'postgres', component: 'api', counting: 'requests refused' })
  let closing: Promise<void> | undefined
  return {
    hooks,
    limiter,
    batcher,
    enqueuer,
    databaseOutage,
    async drain() {
      await batcher.drain()
      await enqueuer.drain()
    },
    close() {
      closing ??= (async () => {
        await batcher.close()
        await enqueuer.drain()
      })()
      return closing
    },
  }
}

async function loadHookTarget(deps: WebhookIngestDeps, hookJobId: string): Promise<HookTarget | undefined> {
  const row = await findWebhookHook(deps.db, hookJobId, deps.secrets)
  if (!row?.active) return undefined
  const { sealedSecret, active, ...hook } = row
  return { ...hook, secret: sealedSecret === null ? undefined : deps.secrets.open(sealedSecret) }
}
