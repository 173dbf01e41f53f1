/**
 * When a failed job runs again, and whether it runs again at all. Shared by the BullMQ and the
 * in-memory queue so both retry the same way.
 */
import { classifyError } from '../../engine/errors.js'

export type RetryBackoff = 'exponential' | 'fixed'

export interface RetryPolicy {
  /**
   * Runs in total, the first one included, of an execution job: the ceiling of a reaction's own
   * `retry.attempts`; the worker ends a run earlier by its policy (execute-event.ts).
   */
  attempts: number
  /** Runs in total of a poll job; default `attempts`. */
  pollAttempts?: number
  /** exponential: the wait doubles after each attempt (with full jitter); fixed: it stays. */
  backoff: RetryBackoff
  baseDelayMs: number
  maxDelayMs: number
}

/** The server's policy unless AREA_RETRY_* say otherwise (src/daemon/config-retry.ts). */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  backoff: 'exponential',
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
}

export function resolveRetry(retry: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = {
    attempts: retry.attempts ?? DEFAULT_RETRY.attempts,
    ...(retry.pollAttempts === undefined ? {} : { pollAttempts: retry.pollAttempts }),
    backoff: retry.backoff ?? DEFAULT_RETRY.backoff,
    baseDelayMs: retry.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: retry.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
  }
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    throw new RangeError(`retry attempts must be a positive integer, got ${policy.attempts}`)
  }
  return policy
}

/**
 * The wait after failed attempt number `attempt` (1-based): exponential backoff with full jitter,
 * so many jobs failing together against one service do not come back together; or, with a fixed
 * backoff, the base delay each time, as the operator wrote it. A server's Retry-After raises the
 * wait; the cap still applies so one bad header cannot park a job for days.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs?: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> & { backoff?: RetryBackoff } = DEFAULT_RETRY,
  random: () => number = Math.random,
): number {
  const fixed = policy.backoff === 'fixed'
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * (fixed ? 1 : 2 ** Math.max(0, attempt - 1)),
  )
  const jittered = fixed ? ceiling : Math.floor(random() * ceiling)
  const hinted =
    retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? Math.max(jittered, retryAfterMs) : jittered
  return Math.max(0, Math.min(policy.maxDelayMs, hinted))
}

/** Permanent errors fail the job at once; ReactionFailedError carries the class of its cause. */
export function isPermanentFailure(error: unknown): boolean {
  if (classifyError(error) === 'permanent') return true
  return (
    typeof error === 'object' && error !== null && 'errorClass' in error && error.errorClass === 'permanent'
  )
}

/** The Retry-After hint of an error or of one of its causes (handlers may wrap errors). */
export function retryAfterOf(error: unknown): number | undefined {
  let current = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const hint = (current as { retryAfterMs?: unknown }).retryAfterMs
    if (typeof hint === 'number' && Number.isFinite(hint)) return hint
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** A failing reaction's own `retry:` (ReactionFailedError.retry), in the stored form. */
interface OwnRetry {
  backoff?: 'exponential' | 'fixed'
  delayMs?: number
  maxDelayMs?: number
}

function ownRetryOf(error: unknown): OwnRetry | undefined {
  const retry = typeof error === 'object' && error !== null ? (error as { retry?: unknown }).retry : undefined
  return typeof retry === 'object' && retry !== null ? (retry as OwnRetry) : undefined
}

/**
 * The wait before the next attempt of a job that threw `error`: the failing reaction's own
 * `retry:` when it has one, exactly as written (its delay, doubled each attempt when exponential,
 * within its max_delay; no jitter, people read these numbers), raised by a Retry-After, always
 * within the server's ceiling; otherwise the server's policy (docs/architecture.md, "Running an
 * AREA's graph").
 */
export function nextRetryDelayMs(
  attempt: number,
  error: unknown,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> & { backoff?: RetryBackoff } = DEFAULT_RETRY,
  random: () => number = Math.random,
): number {
  const own = ownRetryOf(error)
  const retryAfterMs = retryAfterOf(error)
  if (!own) return retryDelayMs(attempt, retryAfterMs, policy, random)
  const maxDelayMs = Math.min(policy.maxDelayMs, own.maxDelayMs ?? policy.maxDelayMs)
  const baseDelayMs = Math.min(maxDelayMs, own.delayMs ?? policy.baseDelayMs)
  // A reaction that names no backoff takes the server's.
  const delay =
    (own.backoff ?? policy.backoff) === 'fixed' ? baseDelayMs : baseDelayMs * 2 ** Math.max(0, attempt - 1)
  return Math.min(maxDelayMs, Math.max(delay, retryAfterMs ?? 0))
}
