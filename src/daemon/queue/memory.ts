/**
 * The in-process queue of `area serve --role=all` without REDIS_URL: the BullMQ queue's semantics
 * (dedup by id, attempts with backoff, permanent errors, concurrency, draining close) without its
 * persistence. Nothing is lost by that: Postgres is the outbox and the sweeper enqueues again.
 * Like BullMQ's two queues, polls and executions wait in lanes of their own, each with its own
 * concurrency, so neither waits behind the other.
 */
import { DEFAULT_ABORT_GRACE_MS, DEFAULT_DRAIN_TIMEOUT_MS, drain } from './drain.js'
import { type RetentionOptions, resolveRetention } from './retention.js'
import { isPermanentFailure, nextRetryDelayMs, type RetryPolicy, resolveRetry } from './retry.js'
import {
  type AnyJobData,
  DEFAULT_CONCURRENCY,
  DEFAULT_POLL_CONCURRENCY,
  type ExecutionJobData,
  executionJobId,
  type JobConsumer,
  type JobCounts,
  type JobDataByKind,
  JobDeferredError,
  type JobHandlers,
  type JobKind,
  type JobQueue,
  laneOf,
  type PollJobData,
  pollJobId,
  type QueueLane,
  QueueUnavailableError,
  runHandler,
} from './types.js'

export interface MemoryQueueOptions {
  /** Executions run at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number
  /** Polls run at once, apart from the executions (default DEFAULT_POLL_CONCURRENCY). */
  pollConcurrency?: number
  retention?: RetentionOptions
  retry?: Partial<RetryPolicy>
  abortGraceMs?: number
}

/** One queue, and at most one consumer running at a time (a later one may follow a closed one). */
export interface MemoryQueue extends JobQueue {
  createConsumer(handlers: JobHandlers): JobConsumer
}

type State = keyof JobCounts

interface Entry {
  id: string
  kind: JobKind
  data: AnyJobData
  attemptsMade: number
  maxAttempts: number
  state: State
  finishedAt: number
  timer?: NodeJS.Timeout
}

export function createMemoryQueue(options: MemoryQueueOptions = {}): MemoryQueue {
  const concurrency: Record<QueueLane, number> = {
    executions: options.concurrency ?? DEFAULT_CONCURRENCY,
    polls: options.pollConcurrency ?? DEFAULT_POLL_CONCURRENCY,
  }
  const retry = resolveRetry(options.retry)
  const retention = resolveRetention(options.retention)
  const entries = new Map<string, Entry>()
  const waiting: Record<QueueLane, Entry[]> = { executions: [], polls: [] }
  const finished: Record<'completed' | 'failed', Entry[]> = { completed: [], failed: [] }
  let wake = () => {}
  let consumerOpen = false
  let closed = false
  let closeConsumer: (() => Promise<void>) | undefined

  function enqueue<K extends JobKind>(
    kind: K,
    jobs: readonly JobDataByKind[K][],
    idOf: (job: JobDataByKind[K]) => string,
  ): void {
    if (closed) throw new QueueUnavailableError('the in-memory queue is closed')
    trim()
    for (const data of jobs) {
      const id = idOf(data)
      if (entries.has(id)) continue
      const entry: Entry = {
        id,
        kind,
        data,
        attemptsMade: 0,
        maxAttempts: kind === 'poll' ? (retry.pollAttempts ?? retry.attempts) : retry.attempts,
        state: 'waiting',
        finishedAt: 0,
      }
      entries.set(id, entry)
      waiting[laneOf(kind)].push(entry)
    }
    wake()
  }

  function revive(id: string): boolean {
    const entry = entries.get(id)
    if (!entry || (entry.state !== 'completed' && entry.state !== 'failed')) return false
    const list = finished[entry.state]
    list.splice(list.indexOf(entry), 1)
    entry.state = 'waiting'
    entry.attemptsMade = 0
    waiting[laneOf(entry.kind)].push(entry)
    return true
  }

  function finish(entry: Entry, state: 'completed' | 'failed'): void {
    entry.state = state
    entry.finishedAt = Date.now()
    finished[state].push(entry)
    trim()
  }

  // Forgetting a finished job is what lets the same id be enqueued again, as in BullMQ.
  function trim(now = Date.now()): void {
    for (const state of ['completed', 'failed'] as const) {
      const list = finished[state]
      const keep = retention[state]
      while (list.length > 0 && (list.length > keep.count || now - list[0]!.finishedAt > keep.ageMs)) {
        entries.delete(list.shift()!.id)
      }
    }
  }

  function failed(entry: Entry, error: unknown): void {
    if (error instanceof JobDeferredError) {
      later(entry, error.delayMs)
      return
    }
    entry.attemptsMade += 1
    if (isPermanentFailure(error) || entry.attemptsMade >= entry.maxAttempts) {
      finish(entry, 'failed')
      return
    }
    later(entry, nextRetryDelayMs(entry.attemptsMade, error, retry))
  }

  function later(entry: Entry, delay: number): void {
    entry.state = 'delayed'
    if (closed) return
    entry.timer = setTimeout(() => {
      entry.timer = undefined
      entry.state = 'waiting'
      waiting[laneOf(entry.kind)].push(entry)
      wake()
    }, delay)
  }

  function createConsumer(handlers: JobHandlers): JobConsumer {
    if (closed) throw new QueueUnavailableError('the in-memory queue is closed')
    if (consumerOpen) throw new Error('the in-memory queue already has a consumer')
    consumerOpen = true
    const running = new Map<Entry, AbortController>()
    const runningIn: Record<QueueLane, number> = { executions: 0, polls: 0 }
    let started = false
    let stopping = false
    let idle: (() => void) | undefined
    let closing: Promise<void> | undefined

    const pump = () => {
      for (const lane of ['polls', 'executions'] as const) {
        while (started && !stopping && runningIn[lane] < concurrency[lane]) {
          const entry = waiting[lane].shift()
          if (!entry) break
          void run(entry)
        }
      }
    }

    async function run(entry: Entry): Promise<void> {
      const controller = new AbortController()
      const lane = laneOf(entry.kind)
      running.set(entry, controller)
      runningIn[lane] += 1
      entry.state = 'active'
      const ctx = {
        attempt: entry.attemptsMade + 1,
        maxAttempts: entry.maxAttempts,
        signal: controller.signal,
        jobId: entry.id,
      }
      try {
        await runHandler(handlers, entry.kind, entry.data, ctx)
        finish(entry, 'completed')
      } catch (error) {
        if (controller.signal.aborted) {
          // Handed back at shutdown: first in line for the next consumer, attempt not spent.
          entry.state = 'waiting'
          waiting[lane].unshift(entry)
        } else {
          failed(entry, error)
        }
      } finally {
        running.delete(entry)
        runningIn[lane] -= 1
        if (running.size === 0) idle?.()
        pump()
      }
    }

    async function close(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
      closing ??= (async () => {
        stopping = true
        const settled = new Promise<void>((resolve) => {
          idle = resolve
          if (running.size === 0) resolve()
        })
        await drain(settled, {
          timeoutMs,
          graceMs: options.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS,
          abort: () => {
            for (const controller of running.values()) controller.abort(new Error('the consumer is closing'))
          },
        })
        if (wake === pump) wake = () => {}
        consumerOpen = false
        closeConsumer = undefined
      })()
      return closing
    }

    closeConsumer = () => close()
    return {
      async start() {
        if (started || stopping) return
        started = true
        wake = pump
        pump()
      },
      close,
    }
  }

  return {
    async enqueueExecutions(jobs: readonly ExecutionJobData[]) {
      enqueue('area_execution', jobs, executionJobId)
    },
    async enqueuePolls(jobs: readonly PollJobData[]) {
      enqueue('poll', jobs, pollJobId)
    },
    async requeueExecutions(jobs: readonly ExecutionJobData[]) {
      enqueue('area_execution', jobs, executionJobId)
      const revived = jobs.filter((job) => revive(executionJobId(job))).length
      if (revived > 0) wake()
      return revived
    },
    async requeuePolls(jobs: readonly PollJobData[]) {
      enqueue('poll', jobs, pollJobId)
      const revived = jobs.filter((job) => revive(pollJobId(job))).length
      if (revived > 0) wake()
      return revived
    },
    async counts() {
      trim()
      const counts: JobCounts = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 }
      for (const entry of entries.values()) counts[entry.state] += 1
      return counts
    },
    async close() {
      closed = true
      await closeConsumer?.()
      for (const entry of entries.values()) clearTimeout(entry.timer)
    },
    createConsumer,
  }
}
