/**
 * Several AREA names at once (`get a b`, `describe`, `delete`, `enable`, `disable`), as kubectl
 * takes them: each name is handled in turn; a name the server does not know is reported and the
 * others are still handled, and the exit code (1) says that one failed. With one name nothing
 * changes: a missing AREA is the command's error, as before.
 */
import { Args } from '@oclif/core'
import { ApiError } from './api-client.js'

/** One or more AREA names (the command sets `static strict = false` and reads `positionals`). */
export const areaNamesArgs = {
  name: Args.string({ description: 'The AREA name; give several to act on each.', required: true }),
}

/** The names given, each once, in order. */
export function namesOf(positionals: readonly string[]): string[] {
  return [...new Set(positionals)]
}

export interface Batch<T> {
  done: T[]
  /** Names that failed with a 4xx answer (not found, mostly), with the error to report. */
  failed: { name: string; error: ApiError }[]
}

/**
 * `act` on each name in turn. With several names, a 4xx answer for one is collected in `failed`;
 * anything else (no server, a bad token) stops the batch, as it would stop every name.
 */
export async function eachArea<T>(
  names: readonly string[],
  act: (name: string) => Promise<T>,
): Promise<Batch<T>> {
  const batch: Batch<T> = { done: [], failed: [] }
  for (const name of names) {
    try {
      batch.done.push(await act(name))
    } catch (error) {
      const clientError = error instanceof ApiError && error.status >= 400 && error.status < 500
      if (names.length === 1 || !clientError || error.status === 401) throw error
      batch.failed.push({ name, error })
    }
  }
  return batch
}
