/**
 * What `area dev` remembers between runs, in <data dir>/dev-state.json: the names of the AREAs
 * it applied last, per database. A re-start applies the file again; an AREA of the file that
 * it creates although an earlier run had applied it was deleted since (`area delete`,
 * `apply --prune`), and dev says so rather than undo that silently.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ApplyBatchResult } from './api-types.js'

interface DevStateFile {
  /** Database key → names of the AREAs applied from the files. */
  applied: Record<string, string[]>
}

export interface DevState {
  /** Names applied by an earlier run on this database (empty on the first run). */
  previouslyApplied: ReadonlySet<string>
  /** Records the names of this apply (everything but deletions). */
  record(results: readonly ApplyBatchResult[]): Promise<void>
}

/** One key per database; a database URL is hashed, as it may hold a password. */
function databaseKey(databaseUrl: string | undefined): string {
  return databaseUrl
    ? `postgres:${createHash('sha256').update(databaseUrl).digest('hex').slice(0, 16)}`
    : 'embedded'
}

export async function openDevState(dataDir: string, databaseUrl: string | undefined): Promise<DevState> {
  const file = join(dataDir, 'dev-state.json')
  const key = databaseKey(databaseUrl)
  let state: DevStateFile = { applied: {} }
  try {
    const read = JSON.parse(await readFile(file, 'utf8')) as Partial<DevStateFile>
    if (read && typeof read.applied === 'object' && read.applied) state = { applied: read.applied }
  } catch {
    // No state yet (first run), or an unreadable file: start afresh.
  }
  const previouslyApplied = new Set(Array.isArray(state.applied[key]) ? state.applied[key] : [])
  return {
    previouslyApplied,
    async record(results) {
      const names = results.filter((r) => r.outcome !== 'deleted').map((r) => r.name)
      state.applied[key] = [...new Set([...names])].sort()
      await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
    },
  }
}

/** The AREAs this apply created that an earlier run had applied: deleted in between. */
export function recreatedAreas(
  results: readonly ApplyBatchResult[],
  previously: ReadonlySet<string>,
): string[] {
  return results.filter((r) => r.outcome === 'created' && previously.has(r.name)).map((r) => r.name)
}
