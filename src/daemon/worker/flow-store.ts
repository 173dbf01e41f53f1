/**
 * The shared state of flow control (docs/architecture.md, "Flow control"), one implementation in
 * Redis for every worker process of a BullMQ deployment and one in memory for the embedded
 * in-process queue. Every decision is one atomic step (a Lua script, Redis's own clock), so two
 * workers never both take the last place; everything held expires on its own (a lease, a window,
 * a hold), so a crashed worker leaves nothing stuck.
 */
import { Redis } from 'ioredis'
import { errorMessage } from '../../engine/errors.js'
import type { Logger } from '../../engine/types.js'
import { SLOT_LEASE_MS, type SlotLease, takeSlot } from './user-slots.js'

/** `run`: go now; `wait`: come back in `ms`; `superseded`: a later event of the burst runs instead. */
export type DebounceVerdict = { kind: 'run' } | { kind: 'wait'; ms: number } | { kind: 'superseded' }

/** A rate window's answer: 0 → start now; else wait `ms`, `held` when a Retry-After holds it. */
export interface RateVerdict {
  ms: number
  held: boolean
}

export interface FlowStore {
  /** One of `limit` places of `scope`, as a lease; undefined when all are taken. */
  acquire(scope: string, limit: number): Promise<SlotLease | undefined>
  /**
   * Reserves a start for `member` within `events` per `perMs`: now if the window has room, else
   * the earliest time it will; asking again with the same member reads its reservation.
   */
  reserve(scope: string, member: string, events: number, perMs: number): Promise<RateVerdict>
  /** No start in `scope` for `ms` (a target's Retry-After); a longer hold already set stays. */
  hold(scope: string, ms: number): Promise<void>
  /**
   * The burst of `scope` now ends with `member` if its `order` (arrival) is the latest seen: it
   * waits `waitMs` after the last arrival, and the ones it replaced are superseded.
   */
  debounce(scope: string, member: string, order: number, waitMs: number): Promise<DebounceVerdict>
  close(): Promise<void>
}

/** How long a burst's latest event is remembered after its wait: longer than any queue backlog. */
const DEBOUNCE_KEEP_MS = 10 * 60_000

export function memoryFlowStore(now: () => number = Date.now): FlowStore {
  const slots = new Map<string, number>()
  const windows = new Map<string, Map<string, number>>()
  const holds = new Map<string, number>()
  const bursts = new Map<string, { member: string; order: number; due: number; expires: number }>()
  return {
    async acquire(scope, limit) {
      const count = slots.get(scope) ?? 0
      if (count >= limit) return undefined
      slots.set(scope, count + 1)
      let released = false
      return {
        async release() {
          if (released) return
          released = true
          const left = (slots.get(scope) ?? 1) - 1
          if (left > 0) slots.set(scope, left)
          else slots.delete(scope)
        },
      }
    },
    async reserve(scope, member, events, perMs) {
      const at = now()
      const hold = holds.get(scope) ?? 0
      if (hold > at) return { ms: hold - at, held: true }
      const window = windows.get(scope) ?? new Map<string, number>()
      windows.set(scope, window)
      const mine = window.get(member)
      if (mine !== undefined) return { ms: Math.max(0, mine - at), held: false }
      for (const [m, start] of window) if (start <= at - perMs) window.delete(m)
      const starts = [...window.values()].sort((a, b) => a - b)
      const start =
        starts.length >= events ? Math.max(at, (starts[starts.length - events] ?? at) + perMs) : at
      window.set(member, start)
      return { ms: start - at, held: false }
    },
    async hold(scope, ms) {
      const until = now() + ms
      if (until > (holds.get(scope) ?? 0)) holds.set(scope, until)
    },
    async debounce(scope, member, order, waitMs) {
      const at = now()
      const current = bursts.get(scope)
      const live = current && current.expires > at ? current : undefined
      if (live?.member === member)
        return live.due <= at ? { kind: 'run' } : { kind: 'wait', ms: live.due - at }
      if (live && (live.order > order || (live.order === order && live.member > member)))
        return { kind: 'superseded' }
      bursts.set(scope, { member, order, due: at + waitMs, expires: at + waitMs + DEBOUNCE_KEEP_MS })
      return { kind: 'wait', ms: waitMs }
    },
    async close() {},
  }
}

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// KEYS: the window (a sorted set of starts by member), the hold. ARGV: member, events, per ms.
// A hold answers negative: the time left, marked as a Retry-After's.
const RESERVE = `${NOW}
local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
if hold > now then return now - hold end
local mine = redis.call('ZSCORE', KEYS[1], ARGV[1])
if mine then return math.max(0, tonumber(mine) - now) end
local per = tonumber(ARGV[3])
local events = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - per)
local count = redis.call('ZCARD', KEYS[1])
local at = now
if count >= events then
  local nth = redis.call('ZRANGE', KEYS[1], count - events, count - events, 'WITHSCORES')
  at = math.max(now, tonumber(nth[2]) + per)
end
redis.call('ZADD', KEYS[1], at, ARGV[1])
redis.call('PEXPIRE', KEYS[1], at - now + per)
return at - now
`

// KEYS: the hold. ARGV: ms.
const HOLD = `${NOW}
local untilMs = now + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]))
end
return 1
`

// KEYS: the burst (a hash: member, order, due). ARGV: member, order, wait ms, keep ms.
// Answers 0 (run), -1 (superseded) or the ms to wait.
const DEBOUNCE = `${NOW}
local cur = redis.call('HMGET', KEYS[1], 'member', 'order', 'due')
if cur[1] == ARGV[1] then
  local due = tonumber(cur[3])
  if due <= now then return 0 end
  return due - now
end
if cur[1] then
  local order = tonumber(cur[2])
  local mine = tonumber(ARGV[2])
  if order > mine or (order == mine and cur[1] > ARGV[1]) then return -1 end
end
local wait = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'member', ARGV[1], 'order', ARGV[2], 'due', now + wait)
redis.call('PEXPIRE', KEYS[1], wait + tonumber(ARGV[4]))
return wait
`

export interface RedisFlowStoreOptions {
  redisUrl: string
  prefix: string
  logger: Logger
  leaseMs?: number
}

/**
 * Flow control in Redis. Unlike the users' shares, a Redis failure is not waved through: the
 * caller defers the event (a limit that holds only while Redis answers is no limit).
 */
export function redisFlowStore(options: RedisFlowStoreOptions): FlowStore {
  const leaseMs = options.leaseMs ?? SLOT_LEASE_MS
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2_000 })
  let failing = false
  const report = (error: unknown): void => {
    if (failing) return
    failing = true
    options.logger.warn(
      { err: errorMessage(error) },
      'flow control: Redis is unreachable; events of AREAs with flow control wait until it is back',
    )
  }
  redis.on('error', report)
  redis.on('ready', () => {
    failing = false
  })
  const key = (scope: string) => `${options.prefix}:flow:${scope}`
  return {
    acquire: (scope, limit) => takeSlot(redis, key(`${scope}:slots`), limit, leaseMs, report),
    async reserve(scope, member, events, perMs) {
      const answer = Number(
        await redis.eval(RESERVE, 2, key(`${scope}:window`), key(`${scope}:hold`), member, events, perMs),
      )
      return answer < 0 ? { ms: -answer, held: true } : { ms: answer, held: false }
    },
    async hold(scope, ms) {
      await redis.eval(HOLD, 1, key(`${scope}:hold`), Math.max(1, Math.round(ms)))
    },
    async debounce(scope, member, order, waitMs) {
      const answer = Number(
        await redis.eval(DEBOUNCE, 1, key(`${scope}:burst`), member, order, waitMs, DEBOUNCE_KEEP_MS),
      )
      if (answer === 0) return { kind: 'run' }
      if (answer < 0) return { kind: 'superseded' }
      return { kind: 'wait', ms: answer }
    },
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect())
      else redis.disconnect()
    },
  }
}
