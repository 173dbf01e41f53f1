/**
 * Enqueues the execution jobs of committed events, off the request path: jobs from consecutive
 * batches are coalesced into one bulk enqueue, one at a time, so Redis sees few large calls and
 * a slow or absent Redis never holds an HTTP answer. A failed enqueue is logged and dropped: the
 * events are in hook_logs, and the scheduler's sweeper enqueues them again (docs/architecture.md,
 * "Postgres is the outbox").
 */
import { errorMessage } from '../../engine/errors.js'
import type { Logger } from '../../engine/types.js'
import type { ExecutionJobData } from '../queue/types.js'

export interface ExecutionEnqueuerOptions {
  enqueue(jobs: ExecutionJobData[]): Promise<void>
  logger: Logger
  /** Jobs per bulk enqueue. */
  maxBulk?: number
  /** Jobs held while Redis is slow; beyond that new ones are left to the sweeper. */
  maxPending?: number
}

export interface ExecutionEnqueuer {
  push(jobs: readonly ExecutionJobData[]): void
  /** Resolves once every pushed job was enqueued or given up on. */
  drain(): Promise<void>
  /** Counters since start, for benchmarks and metrics. */
  stats(): EnqueuerStats
}

export interface EnqueuerStats {
  bulks: number
  enqueued: number
  /** Jobs not enqueued (Redis failed, or the backlog was full): the sweeper's. */
  leftToSweeper: number
}

export const DEFAULT_ENQUEUE = { maxBulk: 1_000, maxPending: 50_000 } as const

export function createExecutionEnqueuer(options: ExecutionEnqueuerOptions): ExecutionEnqueuer {
  const maxBulk = options.maxBulk ?? DEFAULT_ENQUEUE.maxBulk
  const maxPending = options.maxPending ?? DEFAULT_ENQUEUE.maxPending
  let pending: ExecutionJobData[] = []
  let running: Promise<void> | undefined
  let failing = false
  let overflowing = false
  const counters: EnqueuerStats = { bulks: 0, enqueued: 0, leftToSweeper: 0 }

  async function loop(): Promise<void> {
    while (pending.length > 0) {
      const bulk = pending.slice(0, maxBulk)
      pending = pending.slice(bulk.length)
      try {
        counters.bulks += 1
        await options.enqueue(bulk)
        counters.enqueued += bulk.length
        if (failing) options.logger.info({}, 'webhook ingest: enqueueing works again')
        failing = false
      } catch (error) {
        // One line per outage, not one per batch: the sweeper re-enqueues these events.
        if (!failing) {
          options.logger.warn(
            { err: errorMessage(error), jobs: bulk.length },
            'webhook ingest: could not enqueue committed events; the sweeper will enqueue them',
          )
        }
        failing = true
        counters.leftToSweeper += bulk.length
      }
    }
    overflowing = false
  }

  function start(): void {
    if (running !== undefined || pending.length === 0) return
    running = loop().then(() => {
      running = undefined
      // Jobs pushed between the loop's last check and now.
      start()
    })
  }

  return {
    push(jobs) {
      const room = maxPending - pending.length
      if (jobs.length > room && !overflowing) {
        overflowing = true
        options.logger.warn(
          { maxPending },
          'webhook ingest: enqueue backlog full; the sweeper will enqueue the rest',
        )
      }
      if (room > 0) pending.push(...jobs.slice(0, room))
      counters.leftToSweeper += Math.max(0, jobs.length - Math.max(0, room))
      start()
    },
    async drain() {
      while (running) await running
    },
    stats: () => ({ ...counters }),
  }
}
