/**
 * The worker's job handlers (pollHookJob, executeEvent) called in-process on a test store of
 * either driver: a fresh database with the registry's catalog synced and one user, the
 * WorkerDeps the handlers take, the execution jobs they enqueue (collected in order), and AREA
 * documents applied through the store the way `area apply` does.
 */
import { randomBytes } from 'node:crypto'
import type { AreaCache } from '../../../src/daemon/worker/area-cache.js'
import type { AttemptContext, ExecutionJobData, WorkerDeps } from '../../../src/daemon/worker/deps.js'
import { createRegistry, type Registry } from '../../../src/engine/registry.js'
import { createEngine, type Engine } from '../../../src/engine/run.js'
import { silentLogger } from '../../../src/engine/types.js'
import type { ApplyAreaResult, ApplyMode } from '../../../src/features/areas/apply.js'
import { createSecretBox, type SecretBox } from '../../../src/secrets/secret-box.js'
import { builtinServices } from '../../../src/services/index.js'
import { syncCatalog } from '../../../src/store/catalog.js'
import { createUser } from '../db/seed.js'
import { type Driver, openTestStore, type TestStore } from '../db/stores.js'
import { applyAreaDocument, type HookJobOf, hookJobOf } from './areas.js'

/** Attempt `n` of `max` of a job, as the queue hands it to a handler. */
export const attempt = (n = 1, max = 3): AttemptContext => ({
  attempt: n,
  maxAttempts: max,
  signal: new AbortController().signal,
})

export interface WorkerHarnessOptions {
  /** Default: the built-in services. */
  registry?: Registry
  /** What the engine reads as its environment (service base URLs); default process.env. */
  env?: Record<string, string>
  /** The AREA cache every deps() carries; default none (each event loads its AREA). */
  areas?: AreaCache
  /** The user's e-mail address; default one unique to the driver. */
  email?: string
}

export interface WorkerHarness {
  /** A test may close the store and open it again (a restart): deps() follows `testStore.store`. */
  testStore: TestStore
  userId: string
  registry: Registry
  engine: Engine
  secrets: SecretBox
  /** Every execution job the handlers enqueued, in order. */
  enqueued: ExecutionJobData[]
  /** WorkerDeps on the store as it is now; tests spread it to replace one dependency. */
  deps(): WorkerDeps
  /** Normalizes an AREA document and applies it for the user. */
  apply(document: unknown, mode?: ApplyMode): Promise<ApplyAreaResult>
  /** The hook job of an AREA's action, with the action's and the AREA's ids. */
  hookJobOf(areaId: string): Promise<HookJobOf>
  /** Closes the store and drops its database. */
  dispose(): Promise<void>
}

export async function openWorkerHarness(
  driver: Driver,
  options: WorkerHarnessOptions = {},
): Promise<WorkerHarness> {
  const testStore = await openTestStore(driver)
  const opened = testStore.store
  try {
    const registry = options.registry ?? createRegistry(builtinServices)
    const engine = createEngine(registry, options.env)
    const secrets = createSecretBox(randomBytes(32))
    await syncCatalog(testStore.store.db, registry)
    const email = options.email ?? `${driver}-${randomBytes(4).toString('hex')}@example.test`
    const userId = await createUser(testStore.store.db, email)
    const enqueued: ExecutionJobData[] = []
    return {
      testStore,
      userId,
      registry,
      engine,
      secrets,
      enqueued,
      deps: () => ({
        db: testStore.store.db,
        engine,
        secrets,
        logger: silentLogger,
        leaseSeconds: 60,
        enqueueExecutions: async (jobs) => {
          enqueued.push(...jobs)
        },
        ...(options.areas ? { areas: options.areas } : {}),
      }),
      apply: (document, mode) =>
        applyAreaDocument({ store: testStore.store, registry, secrets }, userId, document, mode),
      hookJobOf: (areaId) => hookJobOf(testStore.store.db, areaId),
      async dispose() {
        // TestStore.dispose closes the store it opened: a store opened again by the test (a
        // restart) must be closed here, or its data-directory lock outlives the removed directory.
        if (testStore.store !== opened) await testStore.store.close()
        await testStore.dispose()
      },
    }
  } catch (error) {
    await testStore.dispose()
    throw error
  }
}
