/**
 * Throttles sign-in (README, "Network and credentials"; issue 11, point 14): every login and
 * signup spends a point of its client address, a failed login one of its account, and password
 * hashes (argon2id, 19 MiB each) run a few at a time with a bounded queue, so a guessing flood
 * gets 429s and 503s instead of slowing everyone. With Redis the counters live there, so the
 * limits hold across API replicas; without, in the process (rate-limiter-flexible either way).
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import pLimit from 'p-limit'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { AreaError } from '../../engine/errors.js'

export interface SigninLimits {
  accountFailures: number
  addressAttempts: number
  windowSeconds: number
  hashConcurrency: number
  hashQueue: number
}

/** A 429 (limit reached) or 503 (hash queue full) with the seconds to wait. */
export class SigninThrottledError extends AreaError {
  readonly retryAfterSeconds: number
  constructor(code: 'too_many_requests' | 'busy', message: string, retryAfterSeconds: number) {
    super(code, message)
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds))
  }
}

export interface SigninGuard {
  /** Spends one attempt of `address`; throws 429 when none is left. */
  attempt(address: string): Promise<void>
  /** Throws 429 when `email` has no failed login left (checked before hashing). */
  checkAccount(email: string): Promise<void>
  failed(email: string): Promise<void>
  succeeded(email: string): Promise<void>
  /** Runs a password hash or verification within the concurrency cap; 503 when the queue is full. */
  hash<T>(task: () => Promise<T>): Promise<T>
}

// Account keys are a digest: the Redis keys do not list which e-mails were tried.
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex')

export function createSigninGuard(
  limits: SigninLimits,
  redis?: { client: Redis; prefix: string },
): SigninGuard {
  const make = (name: string, points: number) => {
    const options = {
      points,
      duration: limits.windowSeconds,
      keyPrefix: `${redis?.prefix ?? 'area'}:signin:${name}`,
    }
    if (!redis) return new RateLimiterMemory(options)
    // Redis unreachable: limits fall back to this process rather than failing every login.
    return new RateLimiterRedis({
      ...options,
      storeClient: redis.client,
      insuranceLimiter: new RateLimiterMemory(options),
    })
  }
  const byAddress = make('address', limits.addressAttempts)
  const byAccount = make('account', limits.accountFailures)
  const limit = pLimit(limits.hashConcurrency)

  const tooMany = (what: string, res: RateLimiterRes) =>
    new SigninThrottledError(
      'too_many_requests',
      `too many sign-in attempts ${what}; try again in ${Math.ceil(res.msBeforeNext / 1000)} s`,
      res.msBeforeNext / 1000,
    )

  return {
    async attempt(address) {
      try {
        await byAddress.consume(address)
      } catch (error) {
        if (error instanceof RateLimiterRes) throw tooMany('from this address', error)
        throw error
      }
    },
    async checkAccount(email) {
      const res = await byAccount.get(accountKey(email))
      if (res && res.consumedPoints >= limits.accountFailures) throw tooMany('for this account', res)
    },
    async failed(email) {
      await byAccount.penalty(accountKey(email))
    },
    async succeeded(email) {
      await byAccount.delete(accountKey(email))
    },
    hash(task) {
      // Running plus waiting: p-limit counts a task as pending until it starts (a tick later).
      if (limit.activeCount + limit.pendingCount >= limits.hashConcurrency + limits.hashQueue) {
        return Promise.reject(
          new SigninThrottledError('busy', 'the server is busy checking passwords; try again in a second', 1),
        )
      }
      return limit(task)
    },
  }
}
