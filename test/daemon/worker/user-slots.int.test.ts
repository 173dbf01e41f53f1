/**
 * Each user's share of the worker slots, held in Redis across worker processes: a user at their
 * limit is refused, a released slot is free at once, and a crashed worker's leases expire.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { memoryUserSlots, redisUserSlots, type UserSlots } from '../../../src/daemon/worker/user-slots.js'
import { silentLogger } from '../../../src/engine/types.js'
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../../support/redis.js'

const prefix = uniquePrefix('user-slots')
const opened: UserSlots[] = []
const slots = (limit: number, leaseMs?: number) => {
  const made = redisUserSlots({
    redisUrl: sharedRedisUrl,
    prefix,
    limit,
    logger: silentLogger,
    ...(leaseMs ? { leaseMs } : {}),
  })
  opened.push(made)
  return made
}

afterAll(async () => {
  for (const s of opened) await s.close()
  await deleteKeys(prefix)
})

describe('user slots in Redis', () => {
  it('gives a user at most their limit across worker processes, and frees a released slot', async () => {
    const workerA = slots(2)
    const workerB = slots(2)
    const first = await workerA.acquire('alice')
    const second = await workerB.acquire('alice')
    expect(first).toBeDefined()
    expect(second).toBeDefined()
    expect(await workerA.acquire('alice')).toBeUndefined()
    expect(await workerB.acquire('alice')).toBeUndefined()
    // Another user has a share of their own.
    expect(await workerA.acquire('bob')).toBeDefined()
    await first?.release()
    expect(await workerB.acquire('alice')).toBeDefined()
  })

  it("frees a crashed worker's slots once their leases run out, and keeps a live worker's renewed", async () => {
    const crashed = slots(1, 600)
    const live = slots(1, 600)
    expect(await crashed.acquire('carol')).toBeDefined()
    expect(await live.acquire('dave')).toBeDefined()
    await crashed.close() // no more renewals, like a killed process
    const other = slots(1, 600)
    expect(await other.acquire('carol')).toBeUndefined()
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(await other.acquire('carol')).toBeDefined()
    // dave's lease was renewed meanwhile (every third of its length).
    expect(await other.acquire('dave')).toBeUndefined()
  })
})

describe('user slots in one process', () => {
  it('counts each user apart and frees a released slot', async () => {
    const local = memoryUserSlots(1)
    const lease = await local.acquire('alice')
    expect(await local.acquire('alice')).toBeUndefined()
    expect(await local.acquire('bob')).toBeDefined()
    await lease?.release()
    await lease?.release()
    expect(await local.acquire('alice')).toBeDefined()
    expect(await local.acquire('alice')).toBeUndefined()
  })
})
