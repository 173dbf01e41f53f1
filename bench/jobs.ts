/** Filling and watching a bench prefix's BullMQ queue, with the project's own producer. */
import { Redis } from 'ioredis'
import { DEFAULT_QUEUE_NAME } from '../src/daemon/queue/bullmq.js'
import { createQueue, type ExecutionJobData, type JobQueue } from '../src/daemon/queue/index.js'
import { REDIS_URL } from './environment.js'
import { sleep } from './report.js'

/** The project's producer on `prefix`, open while `use` runs. */
export async function withQueue<T>(prefix: string, use: (queue: JobQueue) => Promise<T>): Promise<T> {
  const { jobs: queue } = createQueue({ redisUrl: REDIS_URL, prefix })
  try {
    return await use(queue)
  } finally {
    await queue.close()
  }
}

/** Enqueues `jobs` under `prefix` 1,000 per addBulk, as the ingest's enqueuer does. */
export function enqueueExecutionJobs(prefix: string, jobs: readonly ExecutionJobData[]): Promise<void> {
  return withQueue(prefix, async (queue) => {
    for (let i = 0; i < jobs.length; i += 1_000) await queue.enqueueExecutions(jobs.slice(i, i + 1_000))
  })
}

/**
 * Calls `check` every `intervalMs` until it answers true or `timeoutMs` passes; returns the
 * performance.now() of the first true answer, or undefined on timeout.
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  options: { intervalMs: number; timeoutMs: number },
): Promise<number | undefined> {
  const deadline = performance.now() + options.timeoutMs
  while (performance.now() < deadline) {
    if (await check()) return performance.now()
    await sleep(options.intervalMs)
  }
  return undefined
}

/** Why a job under `prefix` last failed (one retrying or failed job), for a run that stalls. */
export async function sampleFailure(prefix: string): Promise<string | undefined> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  try {
    for (const state of ['delayed', 'failed']) {
      const [id] = await redis.zrange(`${prefix}:${DEFAULT_QUEUE_NAME}:${state}`, 0, 0)
      if (id) return (await redis.hget(`${prefix}:${DEFAULT_QUEUE_NAME}:${id}`, 'failedReason')) ?? undefined
    }
    return undefined
  } finally {
    redis.disconnect()
  }
}
