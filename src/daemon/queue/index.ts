/** Picks the queue: BullMQ when REDIS_URL is set, else the in-process queue of `--role=all`. */
import type { Logger } from '../../engine/types.js'
import { createBullConsumer, createBullQueue } from './bullmq.js'
import { createMemoryQueue } from './memory.js'
import type { RetentionOptions } from './retention.js'
import type { RetryPolicy } from './retry.js'
import type { JobConsumer, JobHandlers, JobQueue } from './types.js'

export { DEFAULT_QUEUE_NAME, pollQueueName } from './bullmq.js'
export { DEFAULT_ABORT_GRACE_MS, DEFAULT_DRAIN_TIMEOUT_MS } from './drain.js'
export { DEFAULT_RETENTION, type RetentionOptions, type RetentionPolicy } from './retention.js'
export { DEFAULT_RETRY, type RetryPolicy, retryDelayMs } from './retry.js'
export * from './types.js'

export interface QueueConfig {
  /** Unset or empty: the in-process queue, for a single process only. */
  redisUrl?: string
  prefix?: string
  /** The executions' queue name; polls queue apart in `<queueName>-poll`. */
  queueName?: string
  /** Executions one consumer runs at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number
  /** Polls one consumer runs at once, apart from the executions (default DEFAULT_POLL_CONCURRENCY). */
  pollConcurrency?: number
  retry?: Partial<RetryPolicy>
  retention?: RetentionOptions
  abortGraceMs?: number
  /** BullMQ: how long a dead worker's job stays locked, and how often it may stall before failing. */
  lockDurationMs?: number
  stalledIntervalMs?: number
  maxStalledCount?: number
  logger?: Logger
}

export interface QueueSetup {
  kind: 'bullmq' | 'memory'
  /** Where producers enqueue (the API, the scheduler, the poll job). */
  jobs: JobQueue
  /** Each call makes a consumer; the in-process queue allows one open consumer at a time. */
  createConsumer(handlers: JobHandlers): JobConsumer
}

export function createQueue(config: QueueConfig = {}): QueueSetup {
  const { redisUrl } = config
  if (redisUrl) {
    return {
      kind: 'bullmq',
      jobs: createBullQueue({ ...config, redisUrl }),
      createConsumer: (handlers) => createBullConsumer({ ...config, redisUrl, handlers }),
    }
  }
  const queue = createMemoryQueue(config)
  return { kind: 'memory', jobs: queue, createConsumer: (handlers) => queue.createConsumer(handlers) }
}
