import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RETRY,
  isPermanentFailure,
  nextRetryDelayMs,
  retryAfterOf,
  retryDelayMs,
} from '../../../src/daemon/queue/retry.js'
import type { LoadedReaction } from '../../../src/engine/area.js'
import { PermanentError, RetryableError, ValidationError } from '../../../src/engine/errors.js'
import { ReactionFailedError } from '../../../src/engine/run.js'

const policy = { baseDelayMs: 1_000, maxDelayMs: 300_000 }
const highest = () => 1 - Number.EPSILON
const lowest = () => 0

describe('retryDelayMs', () => {
  it('doubles its ceiling with each attempt', () => {
    const ceilings = [1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, undefined, policy, highest))
    expect(ceilings).toEqual([999, 1_999, 3_999, 7_999, 15_999])
  })

  it('never exceeds the cap, however many attempts', () => {
    expect(retryDelayMs(20, undefined, policy, highest)).toBe(300_000 - 1)
    expect(retryDelayMs(5_000, undefined, policy, highest)).toBeLessThanOrEqual(300_000)
  })

  it('spreads delays over the whole range below the ceiling (full jitter)', () => {
    expect(retryDelayMs(3, undefined, policy, lowest)).toBe(0)
    expect(retryDelayMs(3, undefined, policy, () => 0.5)).toBe(2_000)
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(4, undefined, policy)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(8_000)
    }
  })

  it('waits at least as long as the Retry-After hint', () => {
    expect(retryDelayMs(1, 30_000, policy, lowest)).toBe(30_000)
    expect(retryDelayMs(1, 30_000, policy, highest)).toBe(30_000)
    // A hint shorter than the jittered delay does not shorten it.
    expect(retryDelayMs(6, 10, policy, () => 0.5)).toBe(16_000)
  })

  it('caps a Retry-After hint too', () => {
    expect(retryDelayMs(1, 24 * 60 * 60_000, policy, lowest)).toBe(300_000)
  })

  it('ignores a hint that is not a number', () => {
    expect(retryDelayMs(1, Number.NaN, policy, lowest)).toBe(0)
  })

  it('defaults to a 1 s base and a 5 min cap', () => {
    expect(DEFAULT_RETRY).toEqual({
      attempts: 8,
      backoff: 'exponential',
      baseDelayMs: 1_000,
      maxDelayMs: 300_000,
    })
    expect(retryDelayMs(1, undefined, undefined, highest)).toBe(999)
    expect(retryDelayMs(30, undefined, undefined, highest)).toBe(299_999)
  })
})

describe('failure classification', () => {
  it('treats PermanentError, ValidationError and permanent reaction failures as permanent', () => {
    const reaction = { ref: 'notify' } as LoadedReaction
    expect(isPermanentFailure(new PermanentError('gone'))).toBe(true)
    expect(isPermanentFailure(new ValidationError([{ path: '/url', message: 'bad' }]))).toBe(true)
    expect(isPermanentFailure(new ReactionFailedError(reaction, new PermanentError('400')))).toBe(true)
    expect(isPermanentFailure(new ReactionFailedError(reaction, new Error('socket hang up')))).toBe(false)
    expect(isPermanentFailure(new Error('bug'))).toBe(false)
    expect(isPermanentFailure('a string')).toBe(false)
  })

  it('finds a Retry-After hint on the error or one of its causes', () => {
    const reaction = { ref: 'notify' } as LoadedReaction
    const limited = new RetryableError('429', { retryAfterMs: 2_000 })
    expect(retryAfterOf(limited)).toBe(2_000)
    expect(retryAfterOf(new ReactionFailedError(reaction, limited))).toBe(2_000)
    expect(retryAfterOf(new Error('wrapped', { cause: limited }))).toBe(2_000)
    expect(retryAfterOf(new RetryableError('503'))).toBeUndefined()
    expect(retryAfterOf(undefined)).toBeUndefined()
  })
})

describe('nextRetryDelayMs', () => {
  const failing = (retry: LoadedReaction['policy']['retry'], cause: Error = new RetryableError('503')) =>
    new ReactionFailedError(
      {
        id: 'r',
        ref: 'send',
        position: 0,
        phase: 'main',
        service: 's',
        reaction: 'x',
        params: {},
        policy: { needs: [], ...(retry ? { retry } : {}) },
      },
      cause,
    )

  it("follows the failing reaction's own retry exactly, within its max_delay and the server's", () => {
    const exponential = failing({ attempts: 5, backoff: 'exponential', delayMs: 2_000, maxDelayMs: 10_000 })
    expect([1, 2, 3, 4].map((attempt) => nextRetryDelayMs(attempt, exponential, policy))).toEqual([
      2_000, 4_000, 8_000, 10_000,
    ])
    const fixed = failing({ backoff: 'fixed', delayMs: 5_000 })
    expect([1, 3].map((attempt) => nextRetryDelayMs(attempt, fixed, policy))).toEqual([5_000, 5_000])
    // The server's ceiling wins over a longer own delay; a Retry-After raises the wait.
    expect(nextRetryDelayMs(1, failing({ backoff: 'fixed', delayMs: 3_600_000 }), policy)).toBe(300_000)
    const limited = failing(
      { backoff: 'fixed', delayMs: 1_000 },
      new RetryableError('429', { retryAfterMs: 7_000 }),
    )
    expect(nextRetryDelayMs(1, limited, policy)).toBe(7_000)
  })

  it("uses the server's policy for a reaction without its own retry", () => {
    expect(nextRetryDelayMs(3, failing(undefined), policy, highest)).toBe(3_999)
  })
})
