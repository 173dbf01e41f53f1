/**
 * Everything a daemon role needs, opened once: the store (migrated, catalog synced), the
 * registry and engine, the secret box, the queue and the logger.
 */

import { migrate } from '../db/migrate.js'
import { openStore, type Store } from '../db/open.js'
import { createRegistry, type Registry } from '../engine/registry.js'
import { createEngine, type Engine } from '../engine/run.js'
import { setDefaultAddressPolicy } from '../net/address-guard.js'
import { createSecretBox, type SecretBox } from '../secrets/secret-box.js'
import { builtinServices } from '../services/index.js'
import { syncCatalog } from '../store/catalog.js'
import type { DaemonConfig } from './config.js'
import { type AppLogger, createLogger } from './logger.js'
import { type AreaMetrics, createMetrics } from './metrics.js'
import { createQueue, type QueueSetup } from './queue/index.js'

export interface DaemonContext {
  config: DaemonConfig
  store: Store
  registry: Registry
  engine: Engine
  secrets: SecretBox
  queue: QueueSetup
  logger: AppLogger
  metrics: AreaMetrics
  close(): Promise<void>
}

export interface OpenContextOptions {
  registry?: Registry
  logger?: AppLogger
  env?: Readonly<Record<string, string | undefined>>
}

export async function openDaemonContext(
  config: DaemonConfig,
  options: OpenContextOptions = {},
): Promise<DaemonContext> {
  const logger = options.logger ?? createLogger(config.logLevel)
  // Every outgoing call of this process whose own setting is empty uses the mode's policy.
  setDefaultAddressPolicy(config.network.addressPolicy)
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    const { applied } = await migrate(store)
    if (applied.length) logger.info({ applied }, 'applied database migrations')
    const registry = options.registry ?? createRegistry(builtinServices)
    await syncCatalog(store.db, registry)
    const queue = createQueue({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      concurrency: config.workerConcurrency,
      // A worker killed mid-job leaves it stalled; it must go to another worker, not fail.
      maxStalledCount: 10,
      lockDurationMs: config.jobLockMs,
      stalledIntervalMs: Math.max(1_000, Math.floor(config.jobLockMs / 2)),
      logger,
    })
    return {
      config,
      store,
      registry,
      engine: createEngine(registry, options.env ?? process.env),
      secrets: createSecretBox(config.encryptionKey),
      queue,
      logger,
      metrics: createMetrics({ queue: queue.jobs, db: store.db }),
      async close() {
        await queue.jobs.close()
        await store.close()
      },
    }
  } catch (error) {
    await store.close()
    throw error
  }
}
