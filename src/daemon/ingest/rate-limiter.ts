/**
 * A token bucket per hook, in memory: `burst` deliveries at once, refilled at `perSecond`. Each
 * API replica limits on its own, which is enough to keep one noisy sender from filling the
 * database and the queue; it is not a global quota.
 */

export interface RateLimiterOptions {
  /** Sustained deliveries per second per hook; 0 or Infinity turns the limit off. */
  perSecond: number
  /** Deliveries accepted at once after a quiet period. */
  burst: number
  /** Hooks tracked at once; the least recently seen are forgotten (their bucket starts full). */
  maxKeys?: number
  now?: () => number
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number }

export interface RateLimiter {
  take(key: string): RateDecision
}

interface Bucket {
  tokens: number
  updatedAt: number
}

export const DEFAULT_RATE_PER_SECOND = 500
export const DEFAULT_RATE_BURST = 1_000
const DEFAULT_MAX_KEYS = 10_000
const allowed: RateDecision = { ok: true }

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { perSecond, burst } = options
  if (perSecond <= 0 || perSecond === Number.POSITIVE_INFINITY) return { take: () => allowed }
  const now = options.now ?? Date.now
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS
  const buckets = new Map<string, Bucket>()

  return {
    take(key) {
      const time = now()
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        bucket = { tokens: burst, updatedAt: time }
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string)
      } else {
        bucket.tokens = Math.min(burst, bucket.tokens + ((time - bucket.updatedAt) / 1000) * perSecond)
        bucket.updatedAt = time
        buckets.delete(key)
      }
      buckets.set(key, bucket)
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return allowed
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) }
    },
  }
}
