import { describe, expect, it } from 'vitest'
import { createAreaCache } from '../../../src/daemon/worker/area-cache.js'
import type { LoadedAreaWithState } from '../../../src/store/load-area.js'

const area = (name: string) => ({ name }) as unknown as LoadedAreaWithState

describe('area cache', () => {
  it('loads once per version, however many events ask at the same time', async () => {
    const cache = createAreaCache()
    let loads = 0
    const load = async () => {
      loads += 1
      return area(`v${loads}`)
    }
    const [a, b] = await Promise.all([cache.get('x', '1', load), cache.get('x', '1', load)])
    expect(a).toBe(b)
    expect(await cache.get('x', '1', load)).toBe(a)
    expect(loads).toBe(1)
    expect((await cache.get('x', '2', load))?.name).toBe('v2')
    expect(loads).toBe(2)
  })

  it('keeps neither a missing AREA nor a failed load', async () => {
    const cache = createAreaCache()
    let calls = 0
    await cache.get('gone', '1', async () => {
      calls += 1
      return undefined
    })
    await expect(
      cache.get('broken', '1', async () => {
        calls += 1
        throw new Error('database down')
      }),
    ).rejects.toThrow('database down')
    await cache.get('gone', '1', async () => {
      calls += 1
      return area('back')
    })
    await cache.get('broken', '1', async () => {
      calls += 1
      return area('fixed')
    })
    expect(calls).toBe(4)
  })

  it('drops the least recently used AREA beyond its size', async () => {
    const cache = createAreaCache(2)
    let loads = 0
    const load = async () => {
      loads += 1
      return area('a')
    }
    await cache.get('a', '1', load)
    await cache.get('b', '1', load)
    await cache.get('a', '1', load)
    await cache.get('c', '1', load)
    expect(cache.size).toBe(2)
    await cache.get('a', '1', load)
    expect(loads).toBe(3)
    await cache.get('b', '1', load)
    expect(loads).toBe(4)
  })
})
