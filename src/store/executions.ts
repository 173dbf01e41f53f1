/**
 * The engine's ExecutionPort on `execution_logs`: one row per (event, reaction), so a retry
 * finds what already succeeded and skips it (docs/architecture.md, "Effectively-once
 * reactions"). The same recorder ends the event (hook_logs), so the last outcome and the end
 * share one statement.
 *
 * Round trips are the worker's main cost, so an outcome is held in memory until the next write,
 * which is always before the next reaction's side effect (`started`) or the end of the event (a
 * failure always ends the run): a crash can re-run only the reaction whose outcome was not yet
 * written, as before.
 */
import type { Kysely } from 'kysely'
import type { Database, HookLogStatus } from '../db/schema.js'
import type { LoadedReaction } from '../engine/area.js'
import type { ErrorClass } from '../engine/errors.js'
import type { ExecutionPort, PreviousOutcome } from '../engine/run.js'
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
  status: 'running' | 'success' | 'failed'
  request: JsonValue | undefined
  response?: JsonValue | undefined
  error?: string
  errorClass?: ErrorClass
  startedAt: Date
}

export function createExecutionPort(db: Kysely<Database>, scope: ExecutionScope): ExecutionRecorder {
  const writer = scope.writer ?? createDirectWriter(db)
  let pending: Outcome[] = []
  let current: { reactionId: string; startedAt: Date } | undefined
  let runningMark: { timer: NodeJS.Timeout; write?: Promise<unknown> } | undefined
  const startedAtOf = (reaction: LoadedReaction) =>
    current?.reactionId === reaction.id ? current.startedAt : new Date()

  const rowOf = (o: Outcome): OutcomeRow => ({
    areaId: scope.areaId,
    userId: scope.userId,
    hookLogId: scope.hookLogId,
    areaActionId: scope.areaActionId,
    areaReactionId: o.reaction.id,
    reactionRef: o.reaction.ref,
    status: o.status,
    attempt: scope.attempt,
    startedAt: o.startedAt,
    request: o.request,
    response: o.response,
    error: o.error?.slice(0, maxErrorLength),
    errorClass: o.errorClass,
  })

  /** Cancels the `running` mark, or waits for its write so that it never lands after the outcome. */
  async function settleMark(): Promise<void> {
    const mark = runningMark
    runningMark = undefined
    if (!mark) return
    clearTimeout(mark.timer)
    await mark.write
  }

  /** The outcome held in memory, to be written now. */
  async function take(): Promise<Outcome[]> {
    await settleMark()
    const held = pending
    pending = []
    return held
  }

  async function write(outcomes: Outcome[]): Promise<void> {
    if (outcomes.length > 0) await writer.write({ rows: outcomes.map(rowOf) })
  }

  /** Ends the event in one statement with the outcome held in memory. */
  async function end(how: EventEnd): Promise<void> {
    const held = await take()
    if (scope.lease?.lost) return write(held)
    await writer.write({
      rows: held.map(rowOf),
      end: { hookLogId: scope.hookLogId, attempt: scope.attempt, end: how },
    })
  }

  return {
    async previousOutcomes() {
      // Only a holder of the claim writes execution_logs, and claiming counts the attempt.
      if (scope.attempt <= 1) return new Map()
      const rows = await db
        .selectFrom('execution_logs')
        .select(['area_reaction_id', 'status', 'response_payload'])
        .where('hook_log_id', '=', scope.hookLogId)
        .execute()
      const outcomes = new Map<string, PreviousOutcome>()
      for (const row of rows) {
        if (row.area_reaction_id) {
          outcomes.set(row.area_reaction_id, {
            status: row.status,
            output: row.response_payload ?? undefined,
          })
        }
      }
      return outcomes
    },
    async started(reaction, request) {
      // The previous success must be durable before this reaction's side effect, and the event
      // still this worker's.
      await write(await take())
      await scope.lease?.ensure()
      const startedAt = new Date()
      current = { reactionId: reaction.id, startedAt }
      const mark: NonNullable<typeof runningMark> = {
        timer: setTimeout(() => {
          // Only a display aid: a failed write must not fail the run (nor go unhandled).
          mark.write = write([{ reaction, status: 'running', request, startedAt }]).catch(() => undefined)
        }, scope.runningMarkAfterMs ?? RUNNING_MARK_AFTER_MS),
      }
      mark.timer.unref()
      runningMark = mark
    },
    async succeeded(reaction, request, output) {
      await settleMark()
      pending.push({
        reaction,
        status: 'success',
        request,
        response: output,
        startedAt: startedAtOf(reaction),
      })
    },
    async failed(reaction, request, error, errorClass) {
      await settleMark()
      if (scope.lease?.lost) return write(await take())
      // Held like a success: the event's end (a hand-back or a final failure) writes it.
      pending.push({
        reaction,
        status: 'failed',
        request,
        error,
        errorClass,
        startedAt: startedAtOf(reaction),
      })
    },
    finish(status, error) {
      return end({ kind: 'finish', status, error })
    },
    release(error) {
      return end({ kind: 'release', error })
    },
  }
}
