/**
 * Where the worker's recorders send their writes (outcomes, and events' ends). Unbatched, each
 * write is its own statement. Batched, concurrent events share statements the way their claims
 * do: a write asked while one statement runs waits and goes with the others in the next, so a
 * busy worker commits many events' writes at once (fewer round trips and commits per event) and
 * an idle one writes at once.
 *
 * A shared statement that fails is tried again one write at a time, so each write gets its own
 * answer: one bad row (a reaction deleted meanwhile, say) never fails the others, whose events
 * would otherwise run reactions again.
 */
import type { Kysely } from 'kysely'
import { type EndRow, type OutcomeRow, writeOutcomesAndEnds } from './execution-statements.js'
import type { Database } from './schema.js'

export interface ExecutionWrite {
  rows: readonly OutcomeRow[]
  end?: EndRow
}

export interface ExecutionWriter {
  write(write: ExecutionWrite): Promise<void>
}

export const DEFAULT_MAX_WRITES = 64

function statementOf(writes: readonly ExecutionWrite[]) {
  return writeOutcomesAndEnds(
    writes.flatMap((w) => w.rows),
    writes.flatMap((w) => (w.end ? [w.end] : [])),
  )
}

/** Each write in a statement of its own. */
export function createDirectWriter(db: Kysely<Database>): ExecutionWriter {
  return {
    async write(write) {
      await db.executeQuery(statementOf([write]))
    },
  }
}

/** Concurrent writes share statements (at most `maxWrites` each). */
export function createBatchedWriter(db: Kysely<Database>, maxWrites = DEFAULT_MAX_WRITES): ExecutionWriter {
  type Waiting = { write: ExecutionWrite; resolve(): void; reject(error: unknown): void }
  let waiting: Waiting[] = []
  let running = false

  async function runAlone(w: Waiting): Promise<void> {
    try {
      await db.executeQuery(statementOf([w.write]))
      w.resolve()
    } catch (error) {
      w.reject(error)
    }
  }

  async function run(): Promise<void> {
    running = true
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, maxWrites)
        waiting = waiting.slice(batch.length)
        if (batch.length === 1) {
          await runAlone(batch[0]!)
          continue
        }
        try {
          await db.executeQuery(statementOf(batch.map((w) => w.write)))
          for (const w of batch) w.resolve()
        } catch {
          // The statement rolled back as a whole: nothing of it was written. One by one, each
          // write succeeds or fails on its own.
          for (const w of batch) await runAlone(w)
        }
      }
    } finally {
      running = false
    }
  }

  return {
    write(write) {
      return new Promise((resolve, reject) => {
        waiting.push({ write, resolve, reject })
        if (!running) void run()
      })
    },
  }
}
