/**
 * Each user's share of the worker slots: at most `limit` of one user's events run at once, across
 * every worker process. With Redis, a sorted set per user holds one lease per running event,
 * scored by its expiry (Redis's own clock) and renewed while the event runs, so a crashed worker's
 * slots free themselves; the in-process queue keeps them in a map. An event over its user's limit
 * is put back for a moment, without spending an attempt (docs/architecture.md, "One tenant against
 * the others").
 */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { errorMessage } from '../../engine/errors.js'
import type { Logger } from '../../engine/types.js'

export interface SlotLease {
  release(): Promise<void>
}

export interface UserSlots {
  readonly limit: number
  /** A lease on one of the user's slots, or undefined when the user has them all. */
  acquire(userId: string): Promise<SlotLease | undefined>
  close(): Promise<void>
}

/** A lease lives this long without renewal: how long a crashed worker's slot stays taken. */
export const SLOT_LEASE_MS = 30_000

export function memoryUserSlots(limit: number): UserSlots {
  const held = new Map<string, number>()
  return {
    limit,
    async acquire(userId) {
      const count = held.get(userId) ?? 0
      if (count >= limit) return undefined
      held.set(userId, count + 1)
      let released = false
      return {
        async release() {
          if (released) return
          released = true
          const left = (held.get(userId) ?? 1) - 1
          if (left > 0) held.set(userId, left)
          else held.delete(userId)
        },
      }
    },
    async close() {},
  }
}

// Drops expired leases, then takes (or renews) the holder's lease if the user has room.
// KEYS[1] the user's set; ARGV: limit, holder, lease ms.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`

export interface RedisUserSlotsOptions {
  redisUrl: string
  prefix: string
  limit: number
  logger: Logger
  leaseMs?: number
}

export function redisUserSlots(options: RedisUserSlotsOptions): UserSlots {
  const leaseMs = options.leaseMs ?? SLOT_LEASE_MS
  // Commands wait for a connection, briefly: a slow answer delays one event, never blocks one.
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2_000 })
  let failing = false
  redis.on('error', (error) => report(error))
  redis.on('ready', () => {
    failing = false
  })
  // Fairness must not cost deliveries: without Redis an event runs without a slot (logged once).
  function report(error: unknown): void {
    if (failing) return
    failing = true
    options.logger.warn(
      { err: errorMessage(error) },
      'user slots: Redis is unreachable; events run without the per-user limit until it is back',
    )
  }
  return {
    limit: options.limit,
    async acquire(userId) {
      try {
        return await takeSlot(redis, `${options.prefix}:user-slots:${userId}`, options.limit, leaseMs, report)
      } catch (error) {
        report(error)
        return { release: async () => {} }
      }
    },
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect())
      else redis.disconnect()
    },
  }
}

/**
 * One of `limit` places of the sorted set at `key`, as a lease renewed every third of `leaseMs`
 * until released (a crashed holder's lease runs out); undefined when they are all taken. Throws
 * when Redis does not answer; a failed renewal goes to `report`. Shared by the users' shares and
 * flow control's `concurrency` (flow-store.ts).
 */
export async function takeSlot(
  redis: Redis,
  key: string,
  limit: number,
  leaseMs: number,
  report: (error: unknown) => void,
): Promise<SlotLease | undefined> {
  const holder = randomUUID()
  const take = async (): Promise<boolean> => (await redis.eval(ACQUIRE, 1, key, limit, holder, leaseMs)) === 1
  if (!(await take())) return undefined
  const renew = setInterval(
    () => {
      take().catch(report)
    },
    Math.floor(leaseMs / 3),
  )
  renew.unref()
  let released = false
  return {
    async release() {
      if (released) return
      released = true
      clearInterval(renew)
      await redis.zrem(key, holder).catch(report)
    },
  }
}
