import { describe, expect, it } from 'vitest'
import { createRateLimiter } from '../../../src/daemon/ingest/rate-limiter.js'

describe('rate limiter', () => {
  it('allows a burst, then refills at the sustained rate, per key', () => {
    let time = 0
    const limiter = createRateLimiter({ perSecond: 2, burst: 3, now: () => time })
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true])
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 })
    expect(limiter.take('b').ok).toBe(true)
    time += 500
    expect(limiter.take('a').ok).toBe(true)
    expect(limiter.take('a').ok).toBe(false)
    time += 10_000
    expect([1, 2, 3, 4].map(() => limiter.take('a').ok)).toEqual([true, true, true, false])
  })

  it('says how long to wait at a slow rate', () => {
    const limiter = createRateLimiter({ perSecond: 0.1, burst: 1, now: () => 0 })
    expect(limiter.take('a').ok).toBe(true)
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 })
  })

  it('is off at 0 per second', () => {
    const limiter = createRateLimiter({ perSecond: 0, burst: 0 })
    expect(Array.from({ length: 100 }, () => limiter.take('a').ok).every(Boolean)).toBe(true)
  })

  it('tracks a bounded number of keys', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1, maxKeys: 2, now: () => 0 })
    limiter.take('a')
    limiter.take('b')
    limiter.take('c')
    // "a" was forgotten: its bucket starts full again.
    expect(limiter.take('a').ok).toBe(true)
    expect(limiter.take('c').ok).toBe(false)
  })
})
