/**
 * The server's retry policy (docs/architecture.md, "Retry policy"): how many attempts an event or
 * a poll gets and how long between them, unless a reaction's own `retry:` says otherwise within
 * the ceilings (AREA_RETRY_MAX_ATTEMPTS, AREA_RETRY_MAX_DELAY).
 */
import { formatDuration, parseDuration } from '../engine/duration.js'
import { type Env, integer } from './config-values.js'
import { DEFAULT_RETRY, type RetryBackoff, type RetryPolicy } from './queue/retry.js'

/** The language's own ceiling on `retry.attempts` (src/spec/document.ts): the default ceiling. */
const LANGUAGE_MAX_ATTEMPTS = 10

export interface RetrySettings {
  /** AREA_RETRY_ATTEMPTS: runs in all (the first included) of an event or a poll. */
  attempts: number
  /** AREA_RETRY_MAX_ATTEMPTS: the most a reaction's `retry.attempts` may ask. */
  maxAttempts: number
  /** AREA_RETRY_BACKOFF: exponential (doubling, with jitter) or fixed. */
  backoff: RetryBackoff
  /** AREA_RETRY_DELAY: the first wait. */
  baseDelayMs: number
  /** AREA_RETRY_MAX_DELAY: the longest wait, a reaction's `retry.max_delay` included. */
  maxDelayMs: number
}

export function readRetrySettings(env: Env, problems: string[]): RetrySettings {
  const attempts = integer(env, 'AREA_RETRY_ATTEMPTS', DEFAULT_RETRY.attempts, problems, { min: 1, max: 100 })
  const maxAttempts = integer(
    env,
    'AREA_RETRY_MAX_ATTEMPTS',
    Math.max(attempts, LANGUAGE_MAX_ATTEMPTS),
    problems,
    { min: 1, max: 100 },
  )
  if (maxAttempts < attempts) {
    problems.push(
      `AREA_RETRY_MAX_ATTEMPTS (${maxAttempts}) is below AREA_RETRY_ATTEMPTS (${attempts}): the ceiling must allow the default; raise AREA_RETRY_MAX_ATTEMPTS or lower AREA_RETRY_ATTEMPTS`,
    )
  }
  const backoff = env.AREA_RETRY_BACKOFF || DEFAULT_RETRY.backoff
  if (backoff !== 'exponential' && backoff !== 'fixed') {
    problems.push(
      `AREA_RETRY_BACKOFF must be "exponential" (the delay doubles after each attempt) or "fixed" (got "${backoff}")`,
    )
  }
  const baseDelayMs = delay(env, 'AREA_RETRY_DELAY', DEFAULT_RETRY.baseDelayMs, problems)
  const maxDelayMs = delay(env, 'AREA_RETRY_MAX_DELAY', DEFAULT_RETRY.maxDelayMs, problems)
  if (maxDelayMs < baseDelayMs) {
    problems.push(
      `AREA_RETRY_MAX_DELAY (${formatDuration(maxDelayMs / 1000)}) is shorter than AREA_RETRY_DELAY (${formatDuration(baseDelayMs / 1000)}): the longest wait must allow the first`,
    )
  }
  return {
    attempts,
    maxAttempts,
    backoff: backoff === 'fixed' ? 'fixed' : 'exponential',
    baseDelayMs,
    maxDelayMs,
  }
}

/**
 * The queue's policy from the settings: an execution job may run up to the ceiling, and the
 * worker ends its run at the policy's attempts (execute-event.ts, with WorkerDeps.retryAttempts);
 * a poll job runs the default attempts.
 */
export function queueRetryOf(settings: RetrySettings): RetryPolicy {
  return {
    attempts: settings.maxAttempts,
    pollAttempts: settings.attempts,
    backoff: settings.backoff,
    baseDelayMs: settings.baseDelayMs,
    maxDelayMs: settings.maxDelayMs,
  }
}

const DELAY_RANGE = { min: 1, max: 86_400 }

/** A duration as in the AREA file (1s, 30s, 5m, 1h), from 1 s to 1 d, in milliseconds. */
function delay(env: Env, name: string, fallbackMs: number, problems: string[]): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallbackMs
  let seconds: number | undefined
  try {
    seconds = parseDuration(raw.trim())
  } catch {
    seconds = undefined
  }
  if (seconds === undefined || seconds < DELAY_RANGE.min || seconds > DELAY_RANGE.max) {
    problems.push(
      `${name} must be a duration from 1s to 1d, written like 1s, 30s, 5m or 1h30m (got "${raw}")`,
    )
    return fallbackMs
  }
  return seconds * 1000
}
