/**
 * One migrated embedded database for the whole run, copied into each test's data directory.
 * Creating a PGlite database runs initdb in WebAssembly: 5 to 30 s of one core, the largest single
 * cost of a test that starts on the embedded default. The global setup creates it once per set of
 * migrations and PGlite version (kept under /tmp between runs, like the built CLI), and
 * `seedDataDir` (seed-data-dir.ts, for test files: the global setup cannot import vitest) copies its `pglite/` folder into a fresh data directory in a second or two.
 *
 * What a copy changes for the code under test: nothing. The daemon still opens the database and
 * runs `migrate` (with nothing left to apply), syncs its catalog and generates its own keys; tests
 * of creating or migrating a database (test/db/) open theirs without the template.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from '../../../src/db/migrate.js'
import { openStore } from '../../../src/db/open.js'
import { repoRoot } from '../cli/repo-root.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite `pglite/` folder to copy (test/support/db/pglite-template.ts). */
    pgliteTemplate: string
  }
}

function templateKey(): string {
  const hash = createHash('sha256')
  const migrations = join(repoRoot, 'supabase/migrations')
  for (const name of readdirSync(migrations).sort()) {
    hash.update(name)
    hash.update(readFileSync(join(migrations, name)))
  }
  // Read as a file: the package's "exports" do not include its package.json.
  const pglite = join(repoRoot, 'node_modules/@electric-sql/pglite/package.json')
  hash.update(JSON.parse(readFileSync(pglite, 'utf8')).version)
  return hash.digest('hex').slice(0, 16)
}

/** Creates the template unless this run's one exists; returns its `pglite/` folder. For the global setup. */
export async function buildPgliteTemplate(): Promise<string> {
  const home = join(tmpdir(), `area-test-pglite-${templateKey()}`)
  const folder = join(home, 'pglite')
  if (existsSync(folder)) return folder
  const scratch = await mkdtemp(join(tmpdir(), 'area-test-pglite-build-'))
  const store = await openStore({ dataDir: scratch })
  try {
    await migrate(store)
  } finally {
    await store.close()
  }
  // Whole or not at all: a run killed half-way leaves only the scratch folder behind.
  try {
    await rename(scratch, home)
  } catch (error) {
    await rm(scratch, { recursive: true, force: true })
    if (!existsSync(folder)) throw error
  }
  return folder
}
