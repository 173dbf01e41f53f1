/**
 * Everything a daemon role needs, opened once: the store (migrated, catalog synced), the
 * registry and engine, the secret box, the queue and the logger.
 */

import { migrate } from '../db/migrate.js'
import { openStore, type Store } from '../db/open.js'
import type { Registry } from '../engine/registry.js'
import { createEngine, type Engine } from '../engine/run.js'
import { setDefaultAddressPolicy } from '../net/address-guard.js'
import { serviceRegistry } from '../plugins/service-registry.js'
import { createSecretBox, type SecretBox } from '../secrets/secret-box.js'
import { syncCatalog } from '../store/catalog.js'
import type { DaemonConfig } from './config.js'
import type { DatabaseSettings } from './config-database.js'
import { queueRetryOf } from './config-retry.js'
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

/** One line at start: what the process assumed about the connection, and how to change it. */
function logDatabaseMode(logger: AppLogger, database: DatabaseSettings): void {
  const how = database.poolModeGuessed
    ? 'guessed from DATABASE_URL; set AREA_DATABASE_POOL_MODE to say'
    : 'AREA_DATABASE_POOL_MODE'
  logger.info(
    {
      poolMode: database.poolMode,
      preparedStatements: database.preparedStatements,
      poolSize: database.poolSize,
      migrations: database.directUrl ? 'DATABASE_DIRECT_URL' : 'DATABASE_URL',
    },
    `database connection: ${database.poolMode} (${how})`,
  )
}

/**
 * Migrations on DATABASE_DIRECT_URL when it is set (a short-lived connection of its own, so DDL
 * does not go through the pooler), else on the daemon's own store.
 */
async function runMigrations(options: { databaseUrl: string | undefined; store: Store }) {
  if (!options.databaseUrl) return migrate(options.store)
  const direct = await openStore({ databaseUrl: options.databaseUrl, poolSize: 1 })
  return migrate(direct).finally(() => direct.close())
}

export async function openDaemonContext(
  config: DaemonConfig,
  options: OpenContextOptions = {},
): Promise<DaemonContext> {
  const logger = options.logger ?? createLogger(config.logLevel)
  // Every outgoing call of this process whose own setting is empty uses the mode's policy.
  setDefaultAddressPolicy(config.network.addressPolicy)
  const { database } = config
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: database.poolSize,
    preparedStatements: database.preparedStatements,
    onPreparedStatementsOff: (error) =>
      logger.warn(
        { code: (error as { code?: string }).code },
        'the database connection does not keep named prepared statements (a transaction-mode pooler?): sending statements unnamed from now on; set AREA_DATABASE_POOL_MODE=transaction to start that way',
      ),
  })
  try {
    if (config.databaseUrl) logDatabaseMode(logger, database)
    const { applied } = await runMigrations({ databaseUrl: database.directUrl, store })
    if (applied.length) logger.info({ applied }, 'applied database migrations')
    const registry = options.registry ?? (await serviceRegistry(config.plugins))
    await syncCatalog(store.db, registry)
    const queue = createQueue({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      concurrency: config.workerConcurrency,
      pollConcurrency: config.polling.concurrency,
      retry: queueRetryOf(config.retry),
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
