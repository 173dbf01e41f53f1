/**
 * The job queue on BullMQ: one queue (`area` by default) holding both job kinds, one Worker per
 * consumer dispatching on the job name. Ids are deterministic, so BullMQ's own "a job with this id
 * exists" check is the deduplication.
 */
import {
  DelayedError,
  type Job,
  type JobsOptions,
  Queue,
  UnrecoverableError,
  WaitingError,
  Worker,
} from 'bullmq'
import { errorMessage } from '../../engine/errors.js'
import { type Logger, silentLogger } from '../../engine/types.js'
import { DEFAULT_ABORT_GRACE_MS, DEFAULT_DRAIN_TIMEOUT_MS, drain } from './drain.js'
import { producerConnection, workerConnection } from './redis.js'
import { type RetentionOptions, resolveRetention } from './retention.js'
import { isPermanentFailure, type RetryPolicy, resolveRetry, retryAfterOf, retryDelayMs } from './retry.js'
import {
  type AnyJobData,
  DEFAULT_CONCURRENCY,
  executionJobId,
  type JobConsumer,
  type JobCounts,
  type JobDataByKind,
  JobDeferredError,
  type JobHandlers,
  type JobKind,
  type JobQueue,
  pollJobId,
  QueueUnavailableError,
  runHandler,
} from './types.js'

export const DEFAULT_PREFIX = 'area'
export const DEFAULT_QUEUE_NAME = 'area'
/** A backoff type BullMQ does not know, so it asks the worker's `backoffStrategy`. */
const BACKOFF_TYPE = 'area-jitter'

interface BullLocation {
  redisUrl: string
  /** Prefix of every Redis key; tests use a unique one and delete it afterwards. */
  prefix?: string
  queueName?: string
  logger?: Logger
}

export interface BullQueueOptions extends BullLocation {
  retention?: RetentionOptions
  /** Only `attempts` matters to the producer: it is stored with each job. */
  retry?: Partial<RetryPolicy>
  connectWaitMs?: number
  commandTimeoutMs?: number
}

export interface BullConsumerOptions extends BullLocation {
  handlers: JobHandlers
  concurrency?: number
  /** The backoff delays; attempts come with each job. */
  retry?: Partial<RetryPolicy>
  abortGraceMs?: number
  /** After this long without a lock renewal a job counts as stalled and runs elsewhere. */
  lockDurationMs?: number
  stalledIntervalMs?: number
  maxStalledCount?: number
}

type AreaJob = Job<AnyJobData, void, JobKind>

export function createBullQueue(options: BullQueueOptions): JobQueue {
  const retry = resolveRetry(options.retry)
  const retention = resolveRetention(options.retention)
  const connection = producerConnection(options.redisUrl, options.logger ?? silentLogger, options)
  const queue = new Queue<AnyJobData, void, JobKind>(options.queueName ?? DEFAULT_QUEUE_NAME, {
    connection: connection.redis,
    prefix: options.prefix ?? DEFAULT_PREFIX,
  })
  queue.on('error', connection.report)
  let closed = false

  const jobOptions = (jobId: string): JobsOptions => ({
    jobId,
    attempts: retry.attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: { age: seconds(retention.completed.ageMs), count: retention.completed.count },
    removeOnFail: { age: seconds(retention.failed.ageMs), count: retention.failed.count },
  })

  async function guarded<T>(what: string, operation: () => Promise<T>): Promise<T> {
    if (closed) throw new QueueUnavailableError('the job queue is closed')
    await connection.whenReady()
    try {
      return await operation()
    } catch (error) {
      throw new QueueUnavailableError(
        `${what} on Redis at ${connection.where} failed: ${errorMessage(error)}`,
        {
          cause: error,
        },
      )
    }
  }

  async function enqueue<K extends JobKind>(
    kind: K,
    jobs: readonly JobDataByKind[K][],
    idOf: (job: JobDataByKind[K]) => string,
  ): Promise<void> {
    if (jobs.length === 0) return
    await guarded('enqueue', () =>
      queue.addBulk(jobs.map((data) => ({ name: kind, data, opts: jobOptions(idOf(data)) }))),
    )
  }

  // A job that finished is moved back to the wait list with fresh attempts. `retry` checks the
  // state again atomically: a job that left it meanwhile is alive, and is left alone.
  async function revive(jobId: string): Promise<boolean> {
    const state = await queue.getJobState(jobId)
    if (state !== 'completed' && state !== 'failed') return false
    const job = await queue.getJob(jobId)
    if (!job) return false
    try {
      await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true })
      return true
    } catch {
      return false
    }
  }

  return {
    enqueueExecutions: (jobs) => enqueue('area_execution', jobs, executionJobId),
    enqueuePolls: (jobs) => enqueue('poll', jobs, pollJobId),
    async requeueExecutions(jobs) {
      await enqueue('area_execution', jobs, executionJobId)
      const revived = await guarded('reviving finished jobs', () =>
        Promise.all(jobs.map((job) => revive(executionJobId(job)))),
      )
      return revived.filter(Boolean).length
    },
    async counts(): Promise<JobCounts> {
      const counts = await guarded('counting jobs', () =>
        queue.getJobCounts('wait', 'paused', 'prioritized', 'active', 'delayed', 'failed', 'completed'),
      )
      const of = (type: string) => counts[type] ?? 0
      return {
        waiting: of('wait') + of('paused') + of('prioritized'),
        active: of('active'),
        delayed: of('delayed'),
        failed: of('failed'),
        completed: of('completed'),
      }
    },
    async close() {
      if (closed) return
      closed = true
      await queue.close().catch(connection.report)
      await connection.close()
    },
  }
}

export function createBullConsumer(options: BullConsumerOptions): JobConsumer {
  const logger = options.logger ?? silentLogger
  const backoff = resolveRetry(options.retry)
  const connection = workerConnection(options.redisUrl, logger)
  const running = new Set<AbortController>()

  async function processJob(job: AreaJob, token?: string): Promise<void> {
    const controller = new AbortController()
    running.add(controller)
    try {
      await runHandler(options.handlers, job.name, job.data, {
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
        signal: controller.signal,
        jobId: job.id ?? '',
      })
    } catch (error) {
      if (controller.signal.aborted && token !== undefined) {
        // Shutting down: back to the wait list without spending an attempt, for another worker now
        // rather than after the lock expires.
        await job.moveToWait(token)
        throw new WaitingError()
      }
      if (error instanceof JobDeferredError && token !== undefined) {
        // Later, and not an attempt: the job did not run.
        await job.moveToDelayed(Date.now() + error.delayMs, token)
        throw new DelayedError()
      }
      if (isPermanentFailure(error)) throw unrecoverable(error)
      throw error instanceof Error ? error : new Error(errorMessage(error))
    } finally {
      running.delete(controller)
    }
  }

  const worker = new Worker<AnyJobData, void, JobKind>(options.queueName ?? DEFAULT_QUEUE_NAME, processJob, {
    connection: connection.redis,
    prefix: options.prefix ?? DEFAULT_PREFIX,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    autorun: false,
    settings: {
      // BullMQ passes the number of the attempt that just failed and the error the processor threw.
      backoffStrategy: (attemptsMade, _type, error) =>
        retryDelayMs(attemptsMade, retryAfterOf(error), backoff),
    },
    // Unset keys must stay absent: BullMQ spreads these over its defaults.
    ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
  })
  worker.on('error', connection.report)

  let starting: Promise<void> | undefined
  let closing: Promise<void> | undefined

  return {
    start() {
      starting ??= (async () => {
        // run() settles only when the worker closes.
        worker.run().catch(connection.report)
        await worker.waitUntilReady()
      })()
      return starting
    },
    close(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS) {
      closing ??= (async () => {
        const settled = await drain(worker.close(), {
          timeoutMs,
          graceMs: options.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS,
          abort: () => {
            for (const controller of running) controller.abort(new Error('the worker is shutting down'))
          },
        })
        if (!settled) {
          logger.warn(
            { jobs: running.size },
            'queue worker: jobs ignored the shutdown signal; they run again elsewhere once their lock expires',
          )
        }
        await connection.close()
      })()
      return closing
    },
  }
}

function unrecoverable(error: unknown): UnrecoverableError {
  const failure = new UnrecoverableError(errorMessage(error))
  failure.cause = error
  if (error instanceof Error && error.stack) failure.stack = error.stack
  return failure
}

const seconds = (ms: number) => Math.ceil(ms / 1000)
