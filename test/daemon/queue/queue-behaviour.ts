/**
 * The behaviour both queue implementations share, run against each of them: the in-memory queue
 * must be a faithful stand-in for BullMQ in `area serve --role=all`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type ExecutionJobData,
  type JobConsumer,
  type JobContext,
  JobDeferredError,
  type JobHandlers,
  type QueueConfig,
  type QueueSetup,
  QueueUnavailableError,
} from '../../../src/daemon/queue/index.js'
import type { LoadedReaction } from '../../../src/engine/area.js'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import { ReactionFailedError } from '../../../src/engine/run.js'

export type MakeQueue = (config: QueueConfig) => QueueSetup

interface Call {
  kind: 'area_execution' | 'poll'
  id: string
  attempt: number
  maxAttempts: number
  jobId: string
  at: number
}

const exec = (hookLogId: string): ExecutionJobData => ({ hookLogId, areaActionId: 'action-1' })
const eventually = { timeout: 15_000, interval: 20 }
const fast = { baseDelayMs: 10, maxDelayMs: 50 }

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })

/** Handlers that record every call and then do what `behave` says for that call. */
function recording(behave: (call: Call, ctx: JobContext) => Promise<void> = async () => {}) {
  const calls: Call[] = []
  const record = (kind: Call['kind'], id: string, ctx: JobContext) => {
    const call = {
      kind,
      id,
      attempt: ctx.attempt,
      maxAttempts: ctx.maxAttempts,
      jobId: ctx.jobId,
      at: Date.now(),
    }
    calls.push(call)
    return behave(call, ctx)
  }
  const handlers: JobHandlers = {
    area_execution: (data, ctx) => record('area_execution', data.hookLogId, ctx),
    poll: (data, ctx) => record('poll', data.hookJobId, ctx),
  }
  const runsOf = (id: string) => calls.filter((c) => c.id === id)
  return { calls, handlers, runsOf }
}

export function describeQueueBehaviour(name: string, makeQueue: MakeQueue): void {
  describe(`${name} queue behaviour`, () => {
    const queues: QueueSetup[] = []
    const consumers: JobConsumer[] = []

    const make = (config: QueueConfig = {}) => {
      // One job at a time unless a test says otherwise, so the order of runs is the order of enqueues.
      const setup = makeQueue({
        concurrency: 1,
        abortGraceMs: 2_000,
        ...config,
        retry: { ...fast, ...config.retry },
      })
      queues.push(setup)
      return setup
    }
    const consume = async (setup: QueueSetup, handlers: JobHandlers) => {
      const consumer = setup.createConsumer(handlers)
      consumers.push(consumer)
      await consumer.start()
      return consumer
    }

    afterEach(async () => {
      for (const consumer of consumers.splice(0)) await consumer.close(100)
      for (const setup of queues.splice(0)) await setup.jobs.close()
    })

    it('runs a job once however often its id is enqueued', async () => {
      const { jobs: queue, createConsumer } = make()
      const { handlers, runsOf } = recording()
      await queue.enqueueExecutions([exec('a'), exec('a')])
      await queue.enqueueExecutions([exec('a')])
      expect(await queue.counts()).toMatchObject({ waiting: 1, active: 0 })

      const consumer = createConsumer(handlers)
      consumers.push(consumer)
      await consumer.start()
      await vi.waitFor(async () => expect((await queue.counts()).completed).toBe(1), eventually)

      // Still retained after completion: with one job at a time, a duplicate would run before 'b'.
      await queue.enqueueExecutions([exec('a'), exec('b')])
      await vi.waitFor(() => expect(runsOf('b')).toHaveLength(1), eventually)
      expect(runsOf('a')).toMatchObject([{ kind: 'area_execution', jobId: 'exec-a', attempt: 1 }])
    })

    it('dispatches each job kind to its handler under its deterministic id', async () => {
      const setup = make()
      const { handlers, calls } = recording()
      await consume(setup, handlers)
      await setup.jobs.enqueuePolls([{ hookJobId: 'hj-1', slotMs: 1_700_000_000_000 }])
      await setup.jobs.enqueueExecutions([exec('log-1')])
      await vi.waitFor(() => expect(calls).toHaveLength(2), eventually)
      // Two queues: which of the two starts first is not defined.
      expect(calls.map((c) => [c.kind, c.id, c.jobId]).sort()).toEqual([
        ['area_execution', 'log-1', 'exec-log-1'],
        ['poll', 'hj-1', 'poll-hj-1-1700000000000'],
      ])
    })

    it('retries a failed attempt, numbering attempts from 1', async () => {
      const setup = make({ retry: { attempts: 3 } })
      const { handlers, runsOf } = recording(async (call) => {
        if (call.attempt === 1) throw new RetryableError('503 from the target')
      })
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('a')])
      await vi.waitFor(async () => expect((await setup.jobs.counts()).completed).toBe(1), eventually)
      expect(runsOf('a').map((c) => [c.attempt, c.maxAttempts])).toEqual([
        [1, 3],
        [2, 3],
      ])
      expect(await setup.jobs.counts()).toMatchObject({ failed: 0, delayed: 0 })
    })

    it('runs a deferred job again later without spending an attempt, and runs others meanwhile', async () => {
      const setup = make({ retry: { attempts: 2 } })
      const { handlers, runsOf, calls } = recording(async (call) => {
        // Deferred more often than it has attempts: a deferral must not count as one.
        if (call.id === 'busy' && runsOf('busy').length <= 3)
          throw new JobDeferredError('user at their share', 100)
      })
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('busy'), exec('other')])
      await vi.waitFor(async () => expect((await setup.jobs.counts()).completed).toBe(2), eventually)
      expect(runsOf('busy').map((c) => c.attempt)).toEqual([1, 1, 1, 1])
      // The deferred job went behind: the other one ran before its second try.
      expect(calls.map((c) => c.id).slice(0, 2)).toEqual(['busy', 'other'])
      expect(await setup.jobs.counts()).toMatchObject({ failed: 0 })
    })

    it('fails a permanent error at once, without retrying', async () => {
      const setup = make({ retry: { attempts: 5 } })
      const reaction = { ref: 'notify' } as LoadedReaction
      const { handlers, runsOf } = recording(async (call) => {
        if (call.kind === 'poll') throw new PermanentError('the repository does not exist')
        throw new ReactionFailedError(reaction, new PermanentError('400 Bad Request'))
      })
      await consume(setup, handlers)
      await setup.jobs.enqueuePolls([{ hookJobId: 'p', slotMs: 1 }])
      await setup.jobs.enqueueExecutions([exec('e')])
      await vi.waitFor(async () => expect((await setup.jobs.counts()).failed).toBe(2), eventually)
      expect(runsOf('p').map((c) => c.attempt)).toEqual([1])
      expect(runsOf('e').map((c) => c.attempt)).toEqual([1])
    })

    it('fails a job when its attempts are exhausted, telling the handler which attempt is the last', async () => {
      const setup = make({ retry: { attempts: 3 } })
      const { handlers, runsOf } = recording(async () => {
        throw new Error('connection reset')
      })
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('a')])
      await vi.waitFor(async () => expect((await setup.jobs.counts()).failed).toBe(1), eventually)
      const runs = runsOf('a')
      expect(runs.map((c) => c.attempt)).toEqual([1, 2, 3])
      expect(runs.map((c) => c.attempt === c.maxAttempts)).toEqual([false, false, true])
      expect(await setup.jobs.counts()).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: 0 })
    })

    it("waits at least a server's Retry-After before the next attempt", async () => {
      const setup = make({ retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 60_000 } })
      let failedAt = 0
      const { handlers, runsOf } = recording(async (call) => {
        if (call.attempt > 1) return
        failedAt = Date.now()
        throw new RetryableError('429 Too Many Requests', { retryAfterMs: 400 })
      })
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('a')])
      await vi.waitFor(() => expect(runsOf('a')).toHaveLength(2), eventually)
      // Without the hint the second attempt would come within ~10 ms; allow for clock granularity.
      expect(runsOf('a')[1]!.at - failedAt).toBeGreaterThanOrEqual(390)
    })

    it('runs no more jobs at once than its concurrency', async () => {
      const setup = make({ concurrency: 2 })
      const gate = deferred()
      let running = 0
      let mostAtOnce = 0
      const { handlers, calls } = recording(async () => {
        running += 1
        mostAtOnce = Math.max(mostAtOnce, running)
        await gate.promise
        running -= 1
      })
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions(['1', '2', '3', '4', '5'].map(exec))
      await vi.waitFor(() => expect(calls).toHaveLength(2), eventually)
      expect(await setup.jobs.counts()).toMatchObject({ active: 2, waiting: 3 })
      gate.resolve()
      await vi.waitFor(async () => expect((await setup.jobs.counts()).completed).toBe(5), eventually)
      expect(mostAtOnce).toBe(2)
    })

    it('lets a running job finish when closing', async () => {
      const setup = make()
      const gate = deferred()
      let finished = false
      let signal: AbortSignal | undefined
      const { handlers, calls } = recording(async (_call, ctx) => {
        signal = ctx.signal
        await gate.promise
        finished = true
      })
      const consumer = await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('a')])
      await vi.waitFor(() => expect(calls).toHaveLength(1), eventually)

      let closed = false
      const closing = consumer.close(30_000).then(() => {
        closed = true
      })
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(closed).toBe(false)
      gate.resolve()
      await closing
      expect(finished).toBe(true)
      expect(signal?.aborted).toBe(false)
      expect(await setup.jobs.counts()).toMatchObject({ completed: 1, active: 0 })
    })

    it('aborts a job that outlasts the close timeout and hands it back without spending an attempt', async () => {
      const setup = make({ retry: { attempts: 3 } })
      const first = recording(async (_call, ctx) => {
        await aborted(ctx.signal)
        throw ctx.signal.reason
      })
      const consumer = await consume(setup, first.handlers)
      await setup.jobs.enqueueExecutions([exec('a')])
      await vi.waitFor(() => expect(first.calls).toHaveLength(1), eventually)

      await consumer.close(50)
      expect(await setup.jobs.counts()).toMatchObject({ waiting: 1, active: 0, failed: 0, delayed: 0 })

      const second = recording()
      await consume(setup, second.handlers)
      await vi.waitFor(async () => expect((await setup.jobs.counts()).completed).toBe(1), eventually)
      expect(second.runsOf('a').map((c) => c.attempt)).toEqual([1])
    })

    it('forgets finished jobs beyond its retention, so their id can run again', async () => {
      const setup = make({ retention: { completed: { count: 1 } } })
      const { handlers, runsOf } = recording()
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('a')])
      await vi.waitFor(() => expect(runsOf('a')).toHaveLength(1), eventually)
      await setup.jobs.enqueueExecutions([exec('b')])
      await vi.waitFor(() => expect(runsOf('b')).toHaveLength(1), eventually)
      await vi.waitFor(async () => expect((await setup.jobs.counts()).completed).toBe(1), eventually)

      // 'a' was trimmed when 'b' finished; 'b' is the one job still retained.
      await setup.jobs.enqueueExecutions([exec('a'), exec('b')])
      await vi.waitFor(() => expect(runsOf('a')).toHaveLength(2), eventually)
      await setup.jobs.enqueueExecutions([exec('c')])
      await vi.waitFor(() => expect(runsOf('c')).toHaveLength(1), eventually)
      expect(runsOf('b')).toHaveLength(1)
    })

    it('runs a finished job again when requeued, with fresh attempts, and leaves live ones alone', async () => {
      const setup = make({ retry: { attempts: 2 } })
      let down = true
      const { handlers, runsOf } = recording(async (call) => {
        if (call.id === 'gave-up' && down) throw new Error('connection refused')
      })
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('gave-up'), exec('done')])
      await vi.waitFor(
        async () => expect(await setup.jobs.counts()).toMatchObject({ failed: 1, completed: 1 }),
        eventually,
      )
      // A plain enqueue is blocked by the retained ids…
      await setup.jobs.enqueueExecutions([exec('gave-up'), exec('done')])
      expect(await setup.jobs.counts()).toMatchObject({ waiting: 0, failed: 1, completed: 1 })

      // …a requeue runs both again, the failed one from attempt 1; a new id is simply enqueued.
      down = false
      expect(await setup.jobs.requeueExecutions([exec('gave-up'), exec('done'), exec('new')])).toBe(2)
      await vi.waitFor(() => expect(runsOf('gave-up')).toHaveLength(3), eventually)
      await vi.waitFor(() => expect(runsOf('done')).toHaveLength(2), eventually)
      await vi.waitFor(() => expect(runsOf('new')).toHaveLength(1), eventually)
      expect(runsOf('gave-up').map((c) => c.attempt)).toEqual([1, 2, 1])
      await vi.waitFor(async () => expect((await setup.jobs.counts()).completed).toBe(3), eventually)
      expect(await setup.jobs.counts()).toMatchObject({ failed: 0 })
    })

    it("runs a replay's job beside the event's retained failed one, under an id of its own, from attempt 1", async () => {
      const setup = make({ retry: { attempts: 2 } })
      let down = true
      const { handlers, runsOf } = recording(async () => {
        if (down) throw new PermanentError('400 from the target')
      })
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('ev')])
      await vi.waitFor(async () => expect((await setup.jobs.counts()).failed).toBe(1), eventually)
      down = false
      // docs/architecture.md, "Replay": the marker only gives the job an id the first run's does not hold.
      await setup.jobs.enqueueExecutions([{ ...exec('ev'), replay: 1 }])
      await vi.waitFor(() => expect(runsOf('ev')).toHaveLength(2), eventually)
      expect(runsOf('ev').map((c) => [c.jobId, c.attempt])).toEqual([
        ['exec-ev', 1],
        ['exec-ev-replay-1', 1],
      ])
    })

    it('requeues a finished poll job too, and leaves a waiting one alone', async () => {
      const setup = make({ retry: { attempts: 1 } })
      let down = true
      const { handlers, runsOf } = recording(async (call) => {
        if (call.id === 'gave-up' && down) throw new Error('connection refused')
      })
      await consume(setup, handlers)
      await setup.jobs.enqueuePolls([{ hookJobId: 'gave-up', slotMs: 1 }])
      await vi.waitFor(async () => expect((await setup.jobs.counts()).failed).toBe(1), eventually)
      down = false
      const slots = [
        { hookJobId: 'gave-up', slotMs: 1 },
        { hookJobId: 'new', slotMs: 1 },
      ]
      expect(await setup.jobs.requeuePolls(slots)).toBe(1)
      await vi.waitFor(async () => expect((await setup.jobs.counts()).completed).toBe(2), eventually)
      expect(runsOf('gave-up').map((c) => c.jobId)).toEqual(['poll-gave-up-1', 'poll-gave-up-1'])
      expect(runsOf('new')).toHaveLength(1)
    })

    it('runs polls beside a full execution lane, each kind within its own concurrency', async () => {
      const setup = make({ concurrency: 1, pollConcurrency: 1 })
      const held = deferred()
      let pollsAtOnce = 0
      let mostPollsAtOnce = 0
      const { handlers, calls, runsOf } = recording(async (call) => {
        if (call.kind === 'area_execution') return held.promise
        pollsAtOnce += 1
        mostPollsAtOnce = Math.max(mostPollsAtOnce, pollsAtOnce)
        await new Promise((resolve) => setTimeout(resolve, 20))
        pollsAtOnce -= 1
      })
      await consume(setup, handlers)
      await setup.jobs.enqueueExecutions([exec('slow-1'), exec('slow-2'), exec('slow-3')])
      await vi.waitFor(() => expect(runsOf('slow-1')).toHaveLength(1), eventually)
      await setup.jobs.enqueuePolls([
        { hookJobId: 'p1', slotMs: 1 },
        { hookJobId: 'p2', slotMs: 1 },
        { hookJobId: 'p3', slotMs: 1 },
      ])
      // Every poll runs while the one execution slot is held and two executions wait.
      await vi.waitFor(() => expect(calls.filter((c) => c.kind === 'poll')).toHaveLength(3), eventually)
      expect(calls.filter((c) => c.kind === 'area_execution')).toHaveLength(1)
      expect(mostPollsAtOnce).toBe(1)
      held.resolve()
      await vi.waitFor(() => expect(runsOf('slow-3')).toHaveLength(1), eventually)
    })

    it('rejects enqueues once closed', async () => {
      const { jobs: queue } = make()
      await queue.close()
      await expect(queue.enqueueExecutions([exec('a')])).rejects.toBeInstanceOf(QueueUnavailableError)
      await expect(queue.enqueuePolls([{ hookJobId: 'p', slotMs: 1 }])).rejects.toThrow(/closed/)
    })
  })
}
