/**
 * The worker figure's reference, measured in the same run: `jobs` area_execution jobs enqueued
 * as the ingest enqueues them (same options, hence the same retention), then processed by a bare
 * BullMQ Worker in a process of its own (noop-worker.ts) with the same concurrency, whose
 * processor does nothing: what BullMQ and Redis alone cost per job on this machine.
 */
import { deleteRedisPrefix, REDIS_URL } from './environment.js'
import { type ServerProcess, startServer } from './ipc.js'
import { enqueueExecutionJobs, waitUntil, withQueue } from './jobs.js'
import { seconds } from './report.js'

export interface NoopResult {
  jobs: number
  concurrency: number
  seconds: number
  jobsPerSec: number
  failed: number
  /** All jobs left the wait list before the timeout. */
  complete: boolean
}

export async function measureBullNoop(options: {
  prefix: string
  jobs: number
  concurrency: number
  timeoutMs: number
}): Promise<NoopResult> {
  const { prefix, jobs, concurrency } = options
  let worker: ServerProcess | undefined
  try {
    await enqueueExecutionJobs(
      prefix,
      Array.from({ length: jobs }, (_, i) => ({ hookLogId: `noop-${i}`, areaActionId: 'noop' })),
    )
    worker = await startServer('./noop-worker.ts', {
      ...process.env,
      REDIS_URL,
      BENCH_PREFIX: prefix,
      BENCH_CONCURRENCY: String(concurrency),
    })
    const noop = worker
    const { elapsedMs, done, failed } = await withQueue(prefix, async (queue) => {
      const started = performance.now()
      noop.go()
      // Every 25 ms: the whole run lasts a few seconds, so 100 ms would be a few percent of it.
      const done = await waitUntil(
        async () => {
          const counts = await queue.counts()
          return counts.waiting + counts.active + counts.delayed === 0
        },
        { intervalMs: 25, timeoutMs: options.timeoutMs },
      )
      const elapsedMs = (done ?? performance.now()) - started
      return { elapsedMs, done, failed: (await queue.counts()).failed }
    })
    return {
      jobs,
      concurrency,
      seconds: seconds(elapsedMs),
      jobsPerSec: Math.round((jobs / elapsedMs) * 1000),
      failed,
      complete: done !== undefined,
    }
  } finally {
    await worker?.stop()
    // Its retained jobs are not the worker figure's: gone before that one measures Redis memory.
    await deleteRedisPrefix(prefix)
  }
}
