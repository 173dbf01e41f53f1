/** Seeds a test's embedded data directory with the run's migrated database (pglite-template.ts). */
import { existsSync } from 'node:fs'
import { cp, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { inject } from 'vitest'
import './pglite-template.js'

/**
 * Puts the template's database into `dataDir` when it holds none yet, so the daemon or store that
 * opens it finds a migrated database instead of creating one.
 */
export async function seedDataDir(dataDir: string): Promise<void> {
  const target = join(dataDir, 'pglite')
  if (existsSync(target)) return
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  await cp(inject('pgliteTemplate'), target, { recursive: true })
}
