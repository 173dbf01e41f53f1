import { describe, expect, it } from 'vitest'
import type { LoadedArea } from '../../src/engine/area.js'
import { type HookJobState, runPoll } from '../../src/engine/poll.js'
import { createRegistry } from '../../src/engine/registry.js'
import { createEngine } from '../../src/engine/run.js'
import { silentLogger } from '../../src/engine/types.js'
import { memoryPollPort } from '../support/engine/memory-ports.js'
import { createRecorder, testService } from '../support/engine/test-services.js'

const area: LoadedArea = {
  id: 'a',
  name: 'a',
  userId: 'u',
  action: { id: 'act', service: 'test', action: 'feed', params: {} },
  reactions: [],
}

describe('runPoll', () => {
  const recorder = createRecorder()
  const engine = createEngine(createRegistry([testService(recorder)]))
  const poll = (hookJob: HookJobState, port: ReturnType<typeof memoryPollPort>) =>
    runPoll({
      engine,
      area,
      hookJob,
      scheduledAt: new Date('2026-01-01T00:00:00Z'),
      port,
      logger: silentLogger,
      signal: new AbortController().signal,
    })

  it('treats the first poll as a baseline, then fires each new key once', async () => {
    const port = memoryPollPort()
    recorder.feed = [
      { key: 'a', event: { value: 1 } },
      { key: 'b', event: { value: 2 } },
    ]
    const first = await poll({ id: 'h', state: undefined, baselineDone: false }, port)
    expect(first).toEqual({ baseline: true, fired: [], pending: [] })

    recorder.feed = [...recorder.feed, { key: 'c', event: { value: 3 } }, { key: 'c', event: { value: 3 } }]
    const second = await poll({ id: 'h', state: { polled: 1 }, baselineDone: true }, port)
    expect(second.fired.map((f) => f.key)).toEqual(['c'])
    const third = await poll({ id: 'h', state: { polled: 2 }, baselineDone: true }, port)
    expect(third.fired).toEqual([])
    expect(port.events.map((e) => e.key)).toEqual(['c'])
  })

  it('refuses empty or oversized item keys', async () => {
    recorder.feed = [{ key: '', event: {} }]
    await expect(poll({ id: 'h', state: undefined, baselineDone: true }, memoryPollPort())).rejects.toThrow(
      'item key that is empty',
    )
  })
})
