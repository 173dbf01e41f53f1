import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createBullQueue } from '../../../src/daemon/queue/bullmq.js'
import { createQueue, QueueUnavailableError } from '../../../src/daemon/queue/index.js'
import { describeQueueBehaviour } from './queue-behaviour.js'

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const prefix = `area-test-${process.pid}-${Date.now()}`
let queues = 0

describeQueueBehaviour('BullMQ', (config) => {
  queues += 1
  const setup = createQueue({ ...config, redisUrl, prefix, queueName: `q${queues}` })
  expect(setup.kind).toBe('bullmq')
  return setup
})

describe('BullMQ queue', () => {
  it('rejects an enqueue promptly with a clear error when Redis is unreachable', async () => {
    const queue = createBullQueue({ redisUrl: 'redis://user:s3cret@127.0.0.1:1', prefix })
    try {
      const failure = queue.enqueueExecutions([{ hookLogId: 'a', areaActionId: 'x' }])
      await expect(failure).rejects.toBeInstanceOf(QueueUnavailableError)
      await expect(failure).rejects.toThrow(
        /^Redis at redis:\/\/127\.0\.0\.1:1 is unreachable: .*ECONNREFUSED/,
      )
      await expect(failure).rejects.not.toThrow(/s3cret/)
      await expect(queue.counts()).rejects.toBeInstanceOf(QueueUnavailableError)
    } finally {
      await queue.close()
    }
  })

  it('stores attempts, backoff and retention with each job so Redis memory stays bounded', async () => {
    const queueName = 'retention'
    const queue = createBullQueue({
      redisUrl,
      prefix,
      queueName,
      retry: { attempts: 4 },
      retention: { completed: { ageMs: 60_000, count: 10 } },
    })
    const raw = new Queue(queueName, { connection: { url: redisUrl }, prefix })
    try {
      await queue.enqueueExecutions([{ hookLogId: 'a', areaActionId: 'x' }])
      const job = await raw.getJob('exec-a')
      expect(job?.name).toBe('area_execution')
      expect(job?.data).toEqual({ hookLogId: 'a', areaActionId: 'x' })
      expect(job?.opts).toMatchObject({
        attempts: 4,
        backoff: { type: 'area-jitter' },
        removeOnComplete: { age: 60, count: 10 },
        removeOnFail: { age: 24 * 60 * 60, count: 5_000 },
      })
    } finally {
      await raw.close()
      await queue.close()
    }
  })
})

afterAll(async () => {
  const redis = new Redis(redisUrl)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000)
      if (keys.length > 0) await redis.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
})
