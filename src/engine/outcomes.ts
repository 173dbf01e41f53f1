/**
 * What the engine records about each reaction of one event, through a port (the worker's is
 * store/executions.ts), so a retry skips what already succeeded (docs/architecture.md,
 * "Effectively-once reactions"). A `for_each` reaction has one outcome per item (its `index`) and
 * one for the reaction as a whole (no index), whose output is the list of the items' outputs.
 */
import type { LoadedReaction } from './area.js'
import type { ErrorClass } from './errors.js'
import type { JsonValue } from './types.js'

export interface PreviousOutcome {
  status: 'running' | 'success' | 'failed' | 'skipped' | 'partial_success'
  output: JsonValue | undefined
}

/** Where the engine records what each reaction did for one event. */
export interface ExecutionPort {
  /** Outcomes recorded by earlier attempts, by `outcomeKey`. */
  previousOutcomes(): Promise<Map<string, PreviousOutcome>>
  /** Before the side effect: everything recorded before must be durable when this returns. */
  started(reaction: LoadedReaction, request: JsonValue, index?: number): Promise<void>
  succeeded(
    reaction: LoadedReaction,
    request: JsonValue | undefined,
    output: JsonValue | undefined,
    index?: number,
  ): Promise<void>
  failed(
    reaction: LoadedReaction,
    request: JsonValue | undefined,
    error: string,
    errorClass: ErrorClass,
    index?: number,
  ): Promise<void>
  /** The reaction did not run: its `when` was false (`reason` names the expression). */
  skipped(reaction: LoadedReaction, reason: string): Promise<void>
}

/** The key of one outcome: the reaction's id, and `:<index>` for an item of a `for_each`. */
export function outcomeKey(areaReactionId: string, index?: number): string {
  return index === undefined || index < 0 ? areaReactionId : `${areaReactionId}:${index}`
}

/** The idempotency key services send: `<hookLogId>:<areaReactionId>[:<index>]`. */
export function idempotencyKeyOf(hookLogId: string, areaReactionId: string, index?: number): string {
  return `${hookLogId}:${outcomeKey(areaReactionId, index)}`
}
