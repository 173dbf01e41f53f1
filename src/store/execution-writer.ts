/**
 * Where the worker's recorders send their writes (outcomes, and events' ends). Unbatched, each
 * write is its own statement. Batched, concurrent events share statements the way their claims
 * do (statement-batcher.ts), so a busy worker commits many events' writes at once and an idle
 * one writes at once.
 *
 * A shared statement that fails is tried again one write at a time, so each write gets its own
 * answer: one bad row (a reaction deleted meanwhile, say) never fails the others, whose events
 * would otherwise run reactions again.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { createStatementBatcher } from '../db/statement-batcher.js'
import { type EndRow, type OutcomeRow, writeOutcomesAndEnds } from './execution-statements.js'

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
  const write = createStatementBatcher<ExecutionWrite, void>(async (batch) => {
    if (batch.length > 1) {
      try {
        await db.executeQuery(statementOf(batch.map((pending) => pending.item)))
        for (const pending of batch) pending.resolve()
        return
      } catch {
        // The statement rolled back as a whole: nothing of it was written. One by one, each
        // write succeeds or fails on its own.
      }
    }
    for (const pending of batch) {
      try {
        await db.executeQuery(statementOf([pending.item]))
        pending.resolve()
      } catch (error) {
        pending.reject(error)
      }
    }
  }, maxWrites)
  return { write }
}
