/**
 * A DaemonContext for tests, on a fresh database of its own (either driver): migrated, catalog
 * synced, the in-process queue (with no consumer, so enqueued jobs wait and can be inspected),
 * a silent logger and a random encryption key. The registry holds the built-in services plus
 * the `test` service of test/support/engine/test-services.ts.
 */
import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { type DaemonConfig, loadDaemonConfig } from '../../../src/daemon/config.js'
import type { DaemonContext } from '../../../src/daemon/context.js'
import type { AppLogger } from '../../../src/daemon/logger.js'
import { createMetrics } from '../../../src/daemon/metrics.js'
import { createQueue, type ExecutionJobData, type JobQueue } from '../../../src/daemon/queue/index.js'
import { createRegistry, type Registry } from '../../../src/engine/registry.js'
import { createEngine } from '../../../src/engine/run.js'
import { createSecretBox } from '../../../src/secrets/secret-box.js'
import { builtinServices } from '../../../src/services/index.js'
import { syncCatalog } from '../../../src/store/catalog.js'
import { type Driver, openTestStore } from '../db/stores.js'
import { createRecorder, type Recorder, testService } from '../engine/test-services.js'

export interface TestDaemonContext {
  ctx: DaemonContext
  /** What the `test` service's reactions and feed record and return. */
  recorder: Recorder
  /** Every execution job enqueued through `ctx.queue.jobs`, in order. */
  enqueued: ExecutionJobData[]
  /** Closes the queue and the store, and drops the database. */
  close(): Promise<void>
}

export interface TestDaemonContextOptions {
  /** Overrides of the configuration (publicUrl, signup…). */
  config?: Partial<DaemonConfig>
  registry?: Registry
  /** Default: a silent pino logger. */
  logger?: AppLogger
}

export async function openTestDaemonContext(
  driver: Driver,
  options: TestDaemonContextOptions = {},
): Promise<TestDaemonContext> {
  const testStore = await openTestStore(driver)
  try {
    const recorder = createRecorder()
    const registry = options.registry ?? createRegistry([...builtinServices, testService(recorder)])
    await syncCatalog(testStore.store.db, registry)
    const env = {
      AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AREA_PUBLIC_URL: 'http://area.test',
      LOG_LEVEL: 'silent',
      // Explicit opt-ins: server mode (Postgres) refuses loopback and closes signup by default.
      AREA_HTTP_ALLOW_PRIVATE: 'loopback',
      AREA_SIGNUP: 'open',
      ...(driver === 'postgres'
        ? { DATABASE_URL: testStore.location }
        : { AREA_DATA_DIR: testStore.location }),
    }
    const config: DaemonConfig = {
      ...loadDaemonConfig(env, { roles: ['all'], port: 0 }),
      host: '127.0.0.1',
      ...options.config,
    }
    const setup = createQueue({})
    const enqueued: ExecutionJobData[] = []
    const queue: JobQueue = {
      ...setup.jobs,
      async enqueueExecutions(jobs) {
        await setup.jobs.enqueueExecutions(jobs)
        enqueued.push(...jobs)
      },
    }
    const ctx: DaemonContext = {
      config,
      store: testStore.store,
      registry,
      engine: createEngine(registry, {}),
      secrets: createSecretBox(config.encryptionKey),
      queue: { ...setup, jobs: queue },
      logger: options.logger ?? pino({ level: 'silent' }),
      metrics: createMetrics({ queue, db: testStore.store.db }),
      async close() {
        await setup.jobs.close()
        await testStore.dispose()
      },
    }
    return { ctx, recorder, enqueued, close: () => ctx.close() }
  } catch (error) {
    await testStore.dispose()
    throw error
  }
}
