import { describe, expect, it } from 'vitest'
import { createClaimBatcher } from '../../../src/daemon/worker/claim-batcher.js'
import type { ClaimedHookLog } from '../../../src/store/hook-logs.js'

const claimed = (id: string): ClaimedHookLog => ({
  id,
  hookJobId: 'h',
  areaId: 'a',
  userId: 'u',
  event: {},
  attempts: 1,
  areaVersion: '1:0',
})

/** A claim statement that waits until released, recording the ids of each call. */
function slowClaims(taken: (id: string) => boolean = () => true) {
  const calls: string[][] = []
  let release: () => void = () => {}
  const claimMany = async (ids: string[]) => {
    calls.push(ids)
    await new Promise<void>((resolve) => {
      release = resolve
    })
    return new Map(ids.filter(taken).map((id) => [id, claimed(id)]))
  }
  return { calls, claimMany, release: () => release() }
}

describe('claim batcher', () => {
  it('claims at once when idle, and together what is asked while a claim runs', async () => {
    const claims = slowClaims((id) => id !== 'c')
    const batcher = createClaimBatcher(claims.claimMany)
    const a = batcher.claim('a')
    const b = batcher.claim('b')
    const c = batcher.claim('c')
    expect(claims.calls).toEqual([['a']])
    claims.release()
    expect((await a)?.id).toBe('a')
    await new Promise((resolve) => setImmediate(resolve))
    expect(claims.calls).toEqual([['a'], ['b', 'c']])
    claims.release()
    expect((await b)?.id).toBe('b')
    expect(await c).toBeUndefined()
  })

  it('gives an event asked for twice in one statement to one caller only', async () => {
    const claims = slowClaims()
    const batcher = createClaimBatcher(claims.claimMany)
    const first = batcher.claim('busy')
    const twice = [batcher.claim('x'), batcher.claim('x')]
    claims.release()
    await first
    await new Promise((resolve) => setImmediate(resolve))
    expect(claims.calls[1]).toEqual(['x'])
    claims.release()
    const results = await Promise.all(twice)
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('fails every claim of a failed statement, and claims again afterwards', async () => {
    let fail = true
    const batcher = createClaimBatcher(async (ids) => {
      if (fail) throw new Error('connection lost')
      return new Map(ids.map((id) => [id, claimed(id)]))
    })
    await expect(Promise.all([batcher.claim('a'), batcher.claim('b')])).rejects.toThrow('connection lost')
    fail = false
    expect((await batcher.claim('a'))?.id).toBe('a')
  })

  it('sends at most the batch size per statement', async () => {
    const claims = slowClaims()
    const batcher = createClaimBatcher(claims.claimMany, 2)
    const all = ['a', 'b', 'c', 'd', 'e'].map((id) => batcher.claim(id))
    for (let i = 0; i < 3; i++) {
      claims.release()
      await new Promise((resolve) => setImmediate(resolve))
    }
    await Promise.all(all)
    expect(claims.calls).toEqual([['a'], ['b', 'c'], ['d', 'e']])
  })
})
