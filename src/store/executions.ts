/**
 * The engine's ExecutionPort on `execution_logs`: one row per (event, reaction), so a retry
 * finds what already succeeded and skips it (docs/architecture.md, "Effectively-once
 * reactions"). The same recorder ends the event (hook_logs), so the last outcome and the end
 * share one statement.
 *
 * Round trips are the worker's main cost, so an outcome is held in memory until the next write,
 * which is always before the next reaction's side effect (`started`) or the end of the event (a
 * failure always ends the run): a crash can re-run only the reactions (or for_each items) whose
 * outcome was not yet written, which are those in flight. Writes are chained, so a `started`
 * returns only once every outcome held before it is durable, whichever concurrent reaction's
 * write carried it (docs/architecture.md, "Running an AREA's graph").
 */
import type { Kysely } from 'kysely'
import type { Database, HookLogStatus } from '../db/schema.js'
import type { LoadedReaction } from '../engine/area.js'
import type { ErrorClass } from '../engine/errors.js'
import { type ExecutionPort, outcomeKey, type PreviousOutcome } from '../engine/run.js'
import type { JsonValue } from '../engine/types.js'
import type { EventEnd, OutcomeRow } from './execution-statements.js'
import { createDirectWriter, type ExecutionWriter } from './execution-writer.js'

export interface ExecutionScope {
  hookLogId: string
  areaId: string
  userId: string
  areaActionId: string
  /** The claim's attempt number: the first claim of an event has no earlier outcome to read. */
  attempt: number
  /** A reaction still running after this long shows as `running` in the logs. */
  runningMarkAfterMs?: number
  /**
   * The claim's lease, checked before each reaction's side effect. Once it is lost, outcomes
   * that happened are still written, but no failure and no end: the event is another's now.
   */
  lease?: { ensure(): Promise<void>; readonly lost: boolean }
  /** Where the writes go; by default each is a statement of its own. */
  writer?: ExecutionWriter
}

export interface ExecutionRecorder extends ExecutionPort {
  /** The event's final state, with the outcome still held in memory. */
  finish(status: Extract<HookLogStatus, 'done' | 'skipped' | 'failed'>, error?: string): Promise<void>
  /** Hands the event back for a retry, with the outcome still held in memory. */
  release(error: string): Promise<void>
}

const maxErrorLength = 4_000
const RUNNING_MARK_AFTER_MS = 1_000

interface Outcome {
  reaction: LoadedReaction
  /** -1 for the reaction as a whole, else the for_each item. */
  index: number
  status: 'running' | 'success' | 'failed' | 'skipped'
  request: JsonValue | undefined
  response?: JsonValue | undefined
  error?: string
  errorClass?: ErrorClass
  startedAt: Date
}

interface RunningMark {
  startedAt: Date
  timer: NodeJS.Timeout
  write?: Promise<unknown>
}

export function createExecutionPort(db: Kysely<Database>, scope: ExecutionScope): ExecutionRecorder {
  const writer = scope.writer ?? createDirectWriter(db)
  let pending: Outcome[] = []
  /** The reactions (and items) in flight, by outcome key, with their `running` mark. */
  const running = new Map<string, RunningMark>()
  /** The last write: each write starts after it, so writes land in the order they were asked. */
  let chain: Promise<unknown> = Promise.resolve()
  /** When a for_each's first item started: the start of the reaction as a whole. */
  const firstItemAt = new Map<string, Date>()
  const keyOf = (reaction: LoadedReaction, index: number | undefined) => outcomeKey(reaction.id, index)

  const rowOf = (o: Outcome): OutcomeRow => ({
    areaId: scope.areaId,
    userId: scope.userId,
    hookLogId: scope.hookLogId,
    areaActionId: scope.areaActionId,
    areaReactionId: o.reaction.id,
    reactionRef: o.reaction.ref,
    itemIndex: o.index,
    status: o.status,
    attempt: scope.attempt,
    startedAt: o.startedAt,
    request: o.request,
    response: o.response,
    error: o.error?.slice(0, maxErrorLength),
    errorClass: o.errorClass,
  })

  /**
   * Ends the unit's `running` mark: cancels it, or waits for its write so that it never lands
   * after the outcome. Returns when the unit started.
   */
  async function settleMark(key: string): Promise<Date> {
    const mark = running.get(key)
    running.delete(key)
    if (!mark) return firstItemAt.get(key) ?? new Date()
    clearTimeout(mark.timer)
    await mark.write
    return mark.startedAt
  }

  /** Writes what is held (and `end`, if given) after every earlier write. */
  function flush(end?: EventEnd): Promise<void> {
    const next = chain.then(async () => {
      const held = pending
      pending = []
      if (end && !scope.lease?.lost) {
        await writer.write({
          rows: held.map(rowOf),
          end: { hookLogId: scope.hookLogId, attempt: scope.attempt, end },
        })
      } else if (held.length > 0) {
        await writer.write({ rows: held.map(rowOf) })
      }
    })
    // A failed write fails its caller; the next writes still run.
    chain = next.catch(() => undefined)
    return next
  }

  function hold(outcome: Omit<Outcome, 'index'> & { index: number | undefined }): void {
    pending.push({ ...outcome, index: outcome.index ?? -1 })
  }

  return {
    async previousOutcomes() {
      // Only a holder of the claim writes execution_logs, and claiming counts the attempt.
      if (scope.attempt <= 1) return new Map()
      const rows = await db
        .selectFrom('execution_logs')
        .select(['area_reaction_id', 'item_index', 'status', 'response_payload'])
        .where('hook_log_id', '=', scope.hookLogId)
        .execute()
      const outcomes = new Map<string, PreviousOutcome>()
      for (const row of rows) {
        if (row.area_reaction_id) {
          outcomes.set(outcomeKey(row.area_reaction_id, row.item_index), {
            status: row.status,
            output: row.response_payload ?? undefined,
          })
        }
      }
      return outcomes
    },
    async started(reaction, request, index) {
      // Every success held so far must be durable before this side effect, and the event still
      // this worker's.
      await flush()
      await scope.lease?.ensure()
      const key = keyOf(reaction, index)
      const startedAt = new Date()
      if (index !== undefined && !firstItemAt.has(reaction.id)) firstItemAt.set(reaction.id, startedAt)
      const mark: RunningMark = {
        startedAt,
        timer: setTimeout(() => {
          // Only a display aid: a failed write must not fail the run (nor go unhandled).
          mark.write = writer
            .write({
              rows: [rowOf({ reaction, index: index ?? -1, status: 'running', request, startedAt })],
            })
            .catch(() => undefined)
        }, scope.runningMarkAfterMs ?? RUNNING_MARK_AFTER_MS),
      }
      mark.timer.unref()
      running.set(key, mark)
    },
    async succeeded(reaction, request, output, index) {
      const startedAt = await settleMark(keyOf(reaction, index))
      hold({ reaction, index, status: 'success', request, response: output, startedAt })
    },
    async failed(reaction, request, error, errorClass, index) {
      const startedAt = await settleMark(keyOf(reaction, index))
      // Once the lease is lost there is no end of ours: what happened is written now, and this
      // failure (most often the lost lease itself, before the side effect) is the new holder's.
      if (scope.lease?.lost) return flush()
      // Held like a success: the event's end (a hand-back or a final failure) writes it.
      hold({ reaction, index, status: 'failed', request, error, errorClass, startedAt })
    },
    async skipped(reaction, reason) {
      hold({
        reaction,
        index: undefined,
        status: 'skipped',
        request: undefined,
        error: reason,
        startedAt: new Date(),
      })
    },
    finish(status, error) {
      return flush({ kind: 'finish', status, error })
    },
    release(error) {
      return flush({ kind: 'release', error })
    },
  }
}
