import { describe, expect, it } from 'vitest'
import { createHookCache, type HookTarget } from '../../../src/daemon/ingest/hook-cache.js'

const target = (hookJobId: string, secret = 'whsec_x'): HookTarget => ({
  hookJobId,
  areaActionId: `action-${hookJobId}`,
  areaId: 'area',
  userId: 'user',
  service: 'webhook',
  action: 'received',
  params: {},
  secret,
})

function setup(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let time = 0
  const loads: string[] = []
  const known = new Map<string, HookTarget>([
    ['a', target('a')],
    ['b', target('b')],
    ['c', target('c')],
  ])
  const cache = createHookCache({
    ttlMs: options.ttlMs ?? 1_000,
    maxEntries: options.maxEntries ?? 10,
    now: () => time,
    load: async (id) => {
      loads.push(id)
      return known.get(id)
    },
  })
  return { cache, loads, known, advance: (ms: number) => (time += ms) }
}

describe('hook cache', () => {
  it('loads a hook once within the TTL, and again after it', async () => {
    const { cache, loads, known, advance } = setup()
    expect(await cache.get('a')).toEqual(target('a'))
    advance(999)
    known.set('a', target('a', 'whsec_new'))
    expect((await cache.get('a'))?.secret).toBe('whsec_x')
    advance(1)
    expect((await cache.get('a'))?.secret).toBe('whsec_new')
    expect(loads).toEqual(['a', 'a'])
  })

  it('remembers that a hook is absent for the TTL too', async () => {
    const { cache, loads, known, advance } = setup()
    expect(await cache.get('x')).toBeUndefined()
    expect(await cache.get('x')).toBeUndefined()
    known.set('x', target('x'))
    advance(1_000)
    expect(await cache.get('x')).toEqual(target('x'))
    expect(loads).toEqual(['x', 'x'])
  })

  it('shares one load between concurrent misses', async () => {
    const { cache, loads } = setup()
    const results = await Promise.all([cache.get('a'), cache.get('a'), cache.get('a')])
    expect(results.every((r) => r?.hookJobId === 'a')).toBe(true)
    expect(loads).toEqual(['a'])
  })

  it('evicts the least recently used hook beyond maxEntries', async () => {
    const { cache, loads } = setup({ maxEntries: 2 })
    await cache.get('a')
    await cache.get('b')
    await cache.get('a')
    await cache.get('c')
    expect(cache.size).toBe(2)
    await cache.get('a')
    await cache.get('b')
    expect(loads).toEqual(['a', 'b', 'c', 'b'])
  })

  it('forgets a hook on invalidate, even while its load is running', async () => {
    const { cache, loads, known } = setup()
    await cache.get('a')
    cache.invalidate('a')
    known.delete('a')
    expect(await cache.get('a')).toBeUndefined()
    const racing = cache.get('b')
    cache.invalidate('b')
    await racing
    await cache.get('b')
    expect(loads).toEqual(['a', 'a', 'b', 'b'])
  })
})
