/**
 * The job queue as the rest of the daemon sees it, independent of BullMQ. Postgres is the outbox
 * (docs/architecture.md, "Postgres is the outbox"): callers commit first and enqueue second, so an
 * enqueue may fail and a sweeper will enqueue again later with the same deterministic job id.
 */
import { AreaError, PermanentError } from '../../engine/errors.js'

export interface ExecutionJobData {
  hookLogId: string
  areaActionId: string
  /**
   * W3C trace context of the span that enqueued it, when traces are on: the worker's span
   * continues that trace, on every attempt (docs/architecture.md, "Traces").
   */
  traceparent?: string
  /**
   * Set by `area replay`: the event's replay number. The job runs like any other (the event row
   * says what to run); the number only gives it an id of its own, so a retained finished job of
   * the first run does not swallow it (docs/architecture.md, "Replay").
   */
  replay?: number
}

export interface PollJobData {
  hookJobId: string
  /** The polling slot (epoch ms) this poll stands for: one slot, one job. */
  slotMs: number
  /** As ExecutionJobData's: the scheduler's span that enqueued this slot. */
  traceparent?: string
}

export interface JobDataByKind {
  area_execution: ExecutionJobData
  poll: PollJobData
}

export type JobKind = keyof JobDataByKind
export type AnyJobData = JobDataByKind[JobKind]

/** Jobs one consumer runs at once unless told otherwise; handlers mostly wait on I/O. */
export const DEFAULT_CONCURRENCY = 10
/** Poll jobs one consumer runs at once unless told otherwise, apart from the executions. */
export const DEFAULT_POLL_CONCURRENCY = 16

/**
 * Polls and executions queue apart, each with its own concurrency, so that neither waits behind
 * the other's backlog (docs/architecture.md, "Claim-based scheduling"): a timer's slot is not
 * late because reactions are slow, and a burst of polls does not delay webhooks.
 */
export type QueueLane = 'executions' | 'polls'
export const laneOf = (kind: JobKind): QueueLane => (kind === 'poll' ? 'polls' : 'executions')

export const JOB_KINDS: readonly JobKind[] = ['area_execution', 'poll']

// BullMQ job ids may not contain ':', hence '-' as the separator.
export const executionJobId = (job: ExecutionJobData): string =>
  job.replay === undefined ? `exec-${job.hookLogId}` : `exec-${job.hookLogId}-replay-${job.replay}`
export const pollJobId = (job: PollJobData): string => `poll-${job.hookJobId}-${job.slotMs}`

export interface JobCounts {
  /** Ready to run (BullMQ's wait, paused and prioritized lists together). */
  waiting: number
  active: number
  /** Waiting for a retry backoff to elapse. */
  delayed: number
  failed: number
  completed: number
}

/** The producer side. Enqueueing an id that is already waiting, running or retained does nothing. */
export interface JobQueue {
  enqueueExecutions(jobs: readonly ExecutionJobData[]): Promise<void>
  enqueuePolls(jobs: readonly PollJobData[]): Promise<void>
  /**
   * The sweeper's enqueue, for events Postgres says are unfinished: like enqueueExecutions, but a
   * job of the same id that already finished (completed, or failed after its attempts, e.g. while
   * Postgres was away) and is still retained runs again with fresh attempts rather than blocking
   * its id. Returns how many such finished jobs were revived.
   */
  requeueExecutions(jobs: readonly ExecutionJobData[]): Promise<number>
  /** The same for polling slots Postgres says were claimed and not polled (the slot sweep). */
  requeuePolls(jobs: readonly PollJobData[]): Promise<number>
  /** Both queues together. */
  counts(): Promise<JobCounts>
  close(): Promise<void>
}

export interface JobContext {
  /** 1-based; a job handed back at shutdown keeps its attempt number. */
  attempt: number
  /** `attempt === maxAttempts` means a failure now is final: the handler records it itself. */
  maxAttempts: number
  /** Aborted when a draining consumer runs out of time; throw to hand the job back. */
  signal: AbortSignal
  jobId: string
}

export type JobHandler<K extends JobKind> = (data: JobDataByKind[K], ctx: JobContext) => Promise<void>
export type JobHandlers = { [K in JobKind]: JobHandler<K> }

export interface JobConsumer {
  start(): Promise<void>
  /**
   * Stops taking jobs and waits up to `timeoutMs` for the running ones, then aborts their signal;
   * a handler that throws after the abort hands its job back (no attempt spent).
   */
  close(timeoutMs?: number): Promise<void>
}

/** Redis is unreachable or the queue is closed; the job is not lost if its row is in Postgres. */
export class QueueUnavailableError extends AreaError {
  constructor(message: string, options?: ErrorOptions) {
    super('queue_unavailable', message, options)
  }
}

/**
 * Thrown by a handler: run this job again after `delayMs`, without spending an attempt (its
 * user is at their share of the workers; docs/architecture.md, "One tenant against the others").
 */
export class JobDeferredError extends AreaError {
  readonly delayMs: number
  constructor(message: string, delayMs: number) {
    super('job_deferred', message)
    this.delayMs = delayMs
  }
}

/** Calls the handler of `kind`; the cast is safe because a job's name and data are written together. */
export async function runHandler(
  handlers: JobHandlers,
  kind: string,
  data: unknown,
  ctx: JobContext,
): Promise<void> {
  if (!JOB_KINDS.includes(kind as JobKind)) throw new PermanentError(`unknown job kind "${kind}"`)
  const handler = handlers[kind as JobKind] as (data: unknown, ctx: JobContext) => Promise<void>
  await handler(data, ctx)
}
