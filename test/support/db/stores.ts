/**
 * A store on a fresh database of either driver (PGlite or Postgres), migrated by default, and the
 * hooks that give a suite one per driver.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import { migrate } from '../../../src/db/migrate.js'
import { openStore, type Store } from '../../../src/db/open.js'
import { createTestDatabase } from './postgres.js'
import { seedDataDir } from './seed-data-dir.js'

export const drivers = ['pglite', 'postgres'] as const
export type Driver = (typeof drivers)[number]

export interface TestStore {
  /** The open store; a test that reopens it replaces it here so dispose closes the right one. */
  store: Store
  /** The Postgres connection string, or the PGlite data directory. */
  location: string
  /** Closes the store and removes its database or data directory. */
  dispose(): Promise<void>
}

/** A store on a fresh database of its own: a temp data dir (PGlite) or a new database (Postgres). */
export async function openTestStore(
  driver: Driver,
  options: { migrated?: boolean } = {},
): Promise<TestStore> {
  let location: string
  let removeDatabase: () => Promise<void>
  if (driver === 'pglite') {
    location = await mkdtemp(join(tmpdir(), 'area-test-'))
    removeDatabase = () => rm(location, { recursive: true, force: true })
    // A migrated store starts as a copy of the run's template instead of a new initdb.
    if (options.migrated ?? true) await seedDataDir(location)
  } else {
    const database = await createTestDatabase('area_test')
    location = database.url
    removeDatabase = database.drop
  }
  const store = await openStore(driver === 'pglite' ? { dataDir: location } : { databaseUrl: location })
  // A test may reopen the store (a restart) and put the new one here: that one is closed.
  const testStore: TestStore = {
    store,
    location,
    async dispose() {
      await testStore.store.close()
      await removeDatabase()
    },
  }
  try {
    if (options.migrated ?? true) await migrate(store)
  } catch (error) {
    await testStore.dispose()
    throw error
  }
  return testStore
}

/** Registers hooks giving the enclosing suite one store (migrated by default) on `driver`. */
export function useTestStore(driver: Driver, options: { migrated?: boolean } = {}): () => Store {
  let testStore: TestStore | undefined
  beforeAll(async () => {
    testStore = await openTestStore(driver, options)
  })
  afterAll(async () => {
    await testStore?.dispose()
  })
  return () => {
    if (!testStore) throw new Error('The test store is opened in beforeAll; use it inside a test')
    return testStore.store
  }
}

/** Runs the same suite once per driver, each with a freshly migrated store of its own. */
export function describeEachDriver(name: string, suite: (store: () => Store, driver: Driver) => void): void {
  describe.each(drivers)(`${name} (%s)`, (driver) => {
    suite(useTestStore(driver), driver)
  })
}
