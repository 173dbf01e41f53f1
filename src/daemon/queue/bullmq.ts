/**
 * The job queue on BullMQ: two queues, executions in `area` and polls in `area-poll` (by default),
 * so neither waits behind the other's backlog, and per consumer one Worker on each with its own
 * concurrency, dispatching on the job name (a `poll` job left in the executions queue by an older
 * version still runs). Ids are deterministic, so BullMQ's own "a job with this id exists" check is
 * the deduplication.
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
import { isPermanentFailure, nextRetryDelayMs, type RetryPolicy, resolveRetry } from './retry.js'
import {
  type AnyJobData,
  DEFAULT_CONCURRENCY,
  DEFAULT_POLL_CONCURRENCY,
  executionJobId,
  type JobConsumer,
  type JobCounts,
  type JobDataByKind,
  JobDeferredError,
  type JobHandlers,
  type JobKind,
  type JobQueue,
  laneOf,
  pollJobId,
  type QueueLane,
  QueueUnavailableError,
  runHandler,
} from './types.js'

export const DEFAULT_PREFIX = 'area'
export const DEFAULT_QUEUE_NAME = 'area'
/** The polls' queue is named after the executions' one: `area-poll` by default. */
export const pollQueueName = (queueName = DEFAULT_QUEUE_NAME): string => `${queueName}-poll`
/** A backoff type BullMQ does not know, so it asks the worker's `backoffStrategy`. */
const BACKOFF_TYPE = 'area-jitter'

interface BullLocation {
  redisUrl: string
  /** Prefix of every Redis key; tests use a unique one and delete it afterwards. */
  prefix?: string
  /** The executions' queue; the polls' is `pollQueueName(queueName)`. */
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
  /** Poll jobs run at once, apart from the executions (default DEFAULT_POLL_CONCURRENCY). */
  pollConcurrency?: number
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
  // Both queues share the producer's connection: a Queue sends no blocking commands.
  const open = (name: string) => {
    const queue = new Queue<AnyJobData, void, JobKind>(name, {
      connection: connection.redis,
      prefix: options.prefix ?? DEFAULT_PREFIX,
    })
    queue.on('error', connection.report)
    return queue
  }
  const name = options.queueName ?? DEFAULT_QUEUE_NAME
  const queues: Record<QueueLane, Queue<AnyJobData, void, JobKind>> = {
    executions: open(name),
    polls: open(pollQueueName(name)),
  }
  let closed = false

  const jobOptions = (jobId: string, kind: JobKind): JobsOptions => ({
    jobId,
    attempts: kind === 'poll' ? (retry.pollAttempts ?? retry.attempts) : retry.attempts,
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
      queues[laneOf(kind)].addBulk(
        jobs.map((data) => ({ name: kind, data, opts: jobOptions(idOf(data), kind) })),
      ),
    )
  }

  // A job that finished is moved back to the wait list with fresh attempts. `retry` checks the
  // state again atomically: a job that left it meanwhile is alive, and is left alone.
  async function revive(queue: Queue<AnyJobData, void, JobKind>, jobId: string): Promise<boolean> {
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
        Promise.all(jobs.map((job) => revive(queues.executions, executionJobId(job)))),
      )
      return revived.filter(Boolean).length
    },
    async requeuePolls(jobs) {
      await enqueue('poll', jobs, pollJobId)
      const revived = await guarded('reviving finished jobs', () =>
        Promise.all(jobs.map((job) => revive(queues.polls, pollJobId(job)))),
      )
      return revived.filter(Boolean).length
    },
    async counts(): Promise<JobCounts> {
      const states = ['wait', 'paused', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const
      const both = await guarded('counting jobs', () =>
        Promise.all([queues.executions.getJobCounts(...states), queues.polls.getJobCounts(...states)]),
      )
      const of = (type: string) => both.reduce((sum, counts) => sum + (counts[type] ?? 0), 0)
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
      await Promise.all(Object.values(queues).map((queue) => queue.close().catch(connection.report)))
      await connection.close()
    },
  }
}

export function createBullConsumer(options: BullConsumerOptions): JobConsumer {
  const logger = options.logger ?? silentLogger
  const backoff = resolveRetry(options.retry)
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

  // One Worker per queue, each on a connection of its own (a Worker blocks on it waiting for jobs).
  const open = (queueName: string, concurrency: number) => {
    const connection = workerConnection(options.redisUrl, logger)
    const worker = new Worker<AnyJobData, void, JobKind>(queueName, processJob, {
      connection: connection.redis,
      prefix: options.prefix ?? DEFAULT_PREFIX,
      concurrency,
      autorun: false,
      settings: {
        // BullMQ passes the number of the attempt that just failed and the error the processor threw.
        backoffStrategy: (attemptsMade, _type, error) => nextRetryDelayMs(attemptsMade, error, backoff),
      },
      // Unset keys must stay absent: BullMQ spreads these over its defaults.
      ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
      ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
      ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
    })
    worker.on('error', connection.report)
    return { worker, connection }
  }
  const name = options.queueName ?? DEFAULT_QUEUE_NAME
  const workers = [
    open(name, options.concurrency ?? DEFAULT_CONCURRENCY),
    open(pollQueueName(name), options.pollConcurrency ?? DEFAULT_POLL_CONCURRENCY),
  ]

  let starting: Promise<void> | undefined
  let closing: Promise<void> | undefined

  return {
    start() {
      starting ??= (async () => {
        // run() settles only when the worker closes.
        for (const { worker, connection } of workers) worker.run().catch(connection.report)
        await Promise.all(workers.map(({ worker }) => worker.waitUntilReady()))
      })()
      return starting
    },
    close(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS) {
      closing ??= (async () => {
        const settled = await drain(Promise.all(workers.map(({ worker }) => worker.close())), {
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
        await Promise.all(workers.map(({ connection }) => connection.close()))
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
