import { describe, expect, it } from 'vitest'
import { createQueue } from '../../../src/daemon/queue/index.js'
import { createMemoryQueue } from '../../../src/daemon/queue/memory.js'
import { describeQueueBehaviour } from './queue-behaviour.js'

describeQueueBehaviour('in-memory', (config) => {
  const setup = createQueue({ ...config, redisUrl: undefined })
  expect(setup.kind).toBe('memory')
  return setup
})

describe('in-memory queue', () => {
  const noop = { area_execution: async () => {}, poll: async () => {} }

  it('allows one open consumer at a time', async () => {
    const queue = createMemoryQueue()
    const first = queue.createConsumer(noop)
    expect(() => queue.createConsumer(noop)).toThrow(/already has a consumer/)
    await first.close()
    const second = queue.createConsumer(noop)
    await second.start()
    await queue.close()
  })

  it('is chosen when REDIS_URL is empty', async () => {
    const setup = createQueue({ redisUrl: '' })
    expect(setup.kind).toBe('memory')
    await setup.jobs.close()
  })
})
