/**
 * The server's retry policy (src/daemon/config-retry.ts): AREA_RETRY_ATTEMPTS, _MAX_ATTEMPTS,
 * _BACKOFF, _DELAY and _MAX_DELAY read with their defaults, every bad value listed at start, the
 * queue's policy made from them, and the waits a fixed or exponential backoff gives.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadDaemonConfig } from '../../src/daemon/config.js'
import { queueRetryOf } from '../../src/daemon/config-retry.js'
import { nextRetryDelayMs, retryDelayMs } from '../../src/daemon/queue/retry.js'
import { runCli } from '../support/cli/run-cli.js'

const base = {
  DATABASE_URL: 'postgres://127.0.0.1:5432/unused',
  AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
}
const load = (env: Record<string, string>) => loadDaemonConfig({ ...base, ...env }, { roles: ['all'] })
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    load(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('retry settings', () => {
  it('default to 8 attempts (a reaction may ask up to 10), exponential from 1 s up to 5 m', () => {
    expect(load({}).retry).toEqual({
      attempts: 8,
      maxAttempts: 10,
      backoff: 'exponential',
      baseDelayMs: 1_000,
      maxDelayMs: 300_000,
    })
  })

  it('are read from the environment, and make the queue policy: executions up to the ceiling, polls the default', () => {
    const { retry } = load({
      AREA_RETRY_ATTEMPTS: '3',
      AREA_RETRY_MAX_ATTEMPTS: '5',
      AREA_RETRY_BACKOFF: 'fixed',
      AREA_RETRY_DELAY: '2s',
      AREA_RETRY_MAX_DELAY: '1m30s',
    })
    expect(retry).toEqual({
      attempts: 3,
      maxAttempts: 5,
      backoff: 'fixed',
      baseDelayMs: 2_000,
      maxDelayMs: 90_000,
    })
    expect(queueRetryOf(retry)).toEqual({
      attempts: 5,
      pollAttempts: 3,
      backoff: 'fixed',
      baseDelayMs: 2_000,
      maxDelayMs: 90_000,
    })
    // A default above the language's 10 raises the ceiling with it.
    expect(load({ AREA_RETRY_ATTEMPTS: '20' }).retry.maxAttempts).toBe(20)
  })

  it('refuse every bad value at once, naming the variable and what to write', () => {
    expect(
      problemsOf({
        AREA_RETRY_ATTEMPTS: '0',
        AREA_RETRY_BACKOFF: 'linear',
        AREA_RETRY_DELAY: '500ms',
        AREA_RETRY_MAX_DELAY: '2d',
      }),
    ).toEqual([
      'AREA_RETRY_ATTEMPTS must be a whole number from 1 to 100 (got "0")',
      'AREA_RETRY_BACKOFF must be "exponential" (the delay doubles after each attempt) or "fixed" (got "linear")',
      'AREA_RETRY_DELAY must be a duration from 1s to 1d, written like 1s, 30s, 5m or 1h30m (got "500ms")',
      'AREA_RETRY_MAX_DELAY must be a duration from 1s to 1d, written like 1s, 30s, 5m or 1h30m (got "2d")',
    ])
    expect(problemsOf({ AREA_RETRY_ATTEMPTS: '6', AREA_RETRY_MAX_ATTEMPTS: '4' })).toEqual([
      'AREA_RETRY_MAX_ATTEMPTS (4) is below AREA_RETRY_ATTEMPTS (6): the ceiling must allow the default; raise AREA_RETRY_MAX_ATTEMPTS or lower AREA_RETRY_ATTEMPTS',
    ])
    expect(problemsOf({ AREA_RETRY_DELAY: '10m', AREA_RETRY_MAX_DELAY: '1m' })).toEqual([
      'AREA_RETRY_MAX_DELAY (1m) is shorter than AREA_RETRY_DELAY (10m): the longest wait must allow the first',
    ])
  })

  it('stop `area serve` at start with the problem, before it opens anything', async () => {
    const started = await runCli(['serve'], {
      env: { ...base, AREA_RETRY_BACKOFF: 'sometimes', AREA_RETRY_MAX_DELAY: 'soon' },
    })
    expect(started.code).toBe(3)
    expect(started.stderr).toContain('invalid configuration:')
    expect(started.stderr).toContain('AREA_RETRY_BACKOFF must be "exponential"')
    expect(started.stderr).toContain('AREA_RETRY_MAX_DELAY must be a duration from 1s to 1d')
  }, 120_000)
})

describe('retry waits', () => {
  const highest = () => 0.999_999
  it('keep a fixed backoff fixed, a reaction without its own backoff following the server', () => {
    const fixed = { backoff: 'fixed' as const, baseDelayMs: 2_000, maxDelayMs: 60_000 }
    expect([1, 2, 5].map((n) => retryDelayMs(n, undefined, fixed))).toEqual([2_000, 2_000, 2_000])
    // A Retry-After still raises it, within the ceiling.
    expect(retryDelayMs(1, 90_000, fixed)).toBe(60_000)
    const own = { retry: { delayMs: 3_000 } }
    expect([1, 3].map((n) => nextRetryDelayMs(n, own, fixed))).toEqual([3_000, 3_000])
    const exponential = { ...fixed, backoff: 'exponential' as const }
    expect([1, 3].map((n) => nextRetryDelayMs(n, own, exponential))).toEqual([3_000, 12_000])
    // Exponential: the wait's ceiling doubles (the jitter picks below it).
    expect(retryDelayMs(3, undefined, exponential, highest)).toBe(7_999)
  })
})
