/**
 * The scheduler role: claims due polling slots and enqueues them, sweeps events and polling slots
 * stranded in the outbox, and prunes old records. It holds no leadership: every replica runs the
 * same loop and the claim's SKIP LOCKED keeps them apart.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { isDatabaseUnavailable } from '../../db/unavailable.js'
import { errorMessage } from '../../engine/errors.js'
import { inSpan, withTraceparent } from '../../engine/tracing.js'
import type { Logger } from '../../engine/types.js'
import { claimDuePolls, type DueSlot } from '../../store/due-polls.js'
import { findStrandedPollSlots, markPollSlotsEnqueued } from '../../store/poll-slots.js'
import { pruneOldRecords } from '../../store/retention.js'
import { findStrandedEvents } from '../../store/stranded-events.js'
import type { AreaMetrics } from '../metrics.js'
import { createOutageLog } from '../outage-log.js'
import type { JobQueue } from '../queue/types.js'

export interface SchedulerOptions {
  tickMs: number
  claimBatch: number
  sweepEveryMs: number
  /** An unfinished event younger than this is left alone: its job is likely still on its way. */
  sweepGraceSeconds: number
  sweepBatch: number
  /** A claimed polling slot not polled this long after its last enqueue is enqueued again. */
  pollSlotLeaseSeconds: number
  retentionEveryMs: number
  retentionDays: number
  /** The clock of the claim (tests stand in a fake one); default: the wall clock. */
  now?: () => Date
}

export const defaultSchedulerOptions: SchedulerOptions = {
  tickMs: 1_000,
  claimBatch: 1_000,
  sweepEveryMs: 5_000,
  sweepGraceSeconds: 10,
  sweepBatch: 1_000,
  pollSlotLeaseSeconds: 30,
  retentionEveryMs: 3_600_000,
  retentionDays: 30,
}

export interface SchedulerDeps {
  db: Kysely<Database>
  queue: JobQueue
  logger: Logger
  metrics?: Pick<
    AreaMetrics,
    'pollSlotsEnqueued' | 'sweeperReenqueued' | 'pollSlotsReenqueued' | 'pollSlotsSkipped'
  >
}

export interface SchedulerStats {
  slotsEnqueued: number
  /** Due slots not fired, by the hook jobs' catch_up. */
  slotsSkipped: number
  eventsReenqueued: number
  slotsReenqueued: number
}

export interface RunningScheduler {
  readonly stats: SchedulerStats
  /** Finishes the current tick (its claims commit or roll back), then stops. */
  stop(): Promise<void>
}

export function startScheduler(
  deps: SchedulerDeps,
  options: Partial<SchedulerOptions> = {},
): RunningScheduler {
  const settings = { ...defaultSchedulerOptions, ...options }
  const stats: SchedulerStats = {
    slotsEnqueued: 0,
    slotsSkipped: 0,
    eventsReenqueued: 0,
    slotsReenqueued: 0,
  }
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let wake: (() => void) | undefined
  let lastSweep = 0
  const databaseOutage = createOutageLog(deps.logger, {
    dependency: 'postgres',
    component: 'scheduler',
    counting: 'steps failed',
  })
  // The first prune waits a minute: a fleet restarting together should not all prune at once.
  let lastPrune = Date.now() - settings.retentionEveryMs + 60_000

  async function claimAll(): Promise<void> {
    for (;;) {
      // Committed before the enqueue: the slots are in poll_slots whatever Redis does next.
      let jobs = 0
      const slots = await claimDuePolls(deps.db, {
        limit: settings.claimBatch,
        ...(settings.now ? { now: settings.now() } : {}),
        onClaimed: (claim) => {
          jobs = claim.jobs
          for (const { hookJobId, skipped, mode } of claim.skipped) {
            stats.slotsSkipped += skipped
            deps.metrics?.pollSlotsSkipped.inc({ catch_up: mode }, skipped)
            // A missed slot fires at this claim or never: say so, once per job and outage.
            deps.logger.info(
              { hookJobId, skipped, catchUp: mode },
              `skipped ${skipped} missed polling slot${skipped === 1 ? '' : 's'} (catch_up: ${mode})`,
            )
          }
        },
      })
      await enqueueSlots(slots)
      stats.slotsEnqueued += slots.length
      deps.metrics?.pollSlotsEnqueued.inc(slots.length)
      if (jobs < settings.claimBatch || stopped) return
    }
  }

  async function enqueueSlots(slots: DueSlot[]): Promise<void> {
    if (slots.length === 0) return
    try {
      // One span per enqueue of due slots, which each poll job continues (docs/architecture.md, "Traces").
      await inSpan(
        'area.schedule_polls',
        { kind: 'producer', attributes: { 'area.slots': slots.length } },
        () => deps.queue.enqueuePolls(withTraceparent(slots)),
      )
    } catch (error) {
      // The slots stay recorded; marked as not enqueued, the next sweep takes them at once
      // rather than after a whole lease. Should that write fail too, the lease still runs out.
      await markPollSlotsEnqueued(deps.db, slots, false).catch(() => {})
      throw error
    }
  }

  async function sweepPollSlots(): Promise<void> {
    const stranded = await findStrandedPollSlots(deps.db, {
      leaseSeconds: settings.pollSlotLeaseSeconds,
      limit: settings.sweepBatch,
    })
    if (stranded.length === 0) return
    // Requeue: a poll job that finished without ending its slot (its attempts spent while
    // Postgres was away) is revived rather than left to block its id for the retention time.
    let revived: number
    try {
      revived = await deps.queue.requeuePolls(stranded)
    } catch (error) {
      await markPollSlotsEnqueued(deps.db, stranded, false).catch(() => {})
      throw error
    }
    await markPollSlotsEnqueued(deps.db, stranded, true)
    stats.slotsReenqueued += stranded.length
    deps.metrics?.pollSlotsReenqueued.inc(stranded.length)
    deps.logger.info(
      { count: stranded.length, revived },
      're-enqueued polling slots not polled within their lease',
    )
  }

  async function sweep(): Promise<void> {
    const stranded = await findStrandedEvents(deps.db, {
      olderThanSeconds: settings.sweepGraceSeconds,
      limit: settings.sweepBatch,
    })
    if (stranded.length === 0) return
    // Requeue, not enqueue: a job that gave up (its attempts spent while Postgres was away) is
    // still retained under the event's id, and would otherwise block it for the retention time.
    const revived = await deps.queue.requeueExecutions(stranded)
    stats.eventsReenqueued += stranded.length
    deps.metrics?.sweeperReenqueued.inc(stranded.length)
    deps.logger.info({ count: stranded.length, revived }, 're-enqueued stranded events')
  }

  async function tick(): Promise<void> {
    const now = Date.now()
    await step('claim due polls', claimAll)
    if (now - lastSweep >= settings.sweepEveryMs) {
      lastSweep = now
      await step('sweep stranded events', sweep)
      await step('sweep stranded polling slots', sweepPollSlots)
    }
    if (now - lastPrune >= settings.retentionEveryMs) {
      lastPrune = now
      await step('prune old records', async () => {
        const pruned = await pruneOldRecords(deps.db, { retentionDays: settings.retentionDays })
        if (pruned.hookLogs || pruned.hookSeen) deps.logger.info(pruned, 'pruned old records')
      })
    }
  }

  async function step(name: string, run: () => Promise<void>): Promise<void> {
    try {
      await run()
      databaseOutage.succeeded()
    } catch (error) {
      // A tick that fails (database or Redis away) is tried again next tick; nothing is lost. A
      // database outage is one line when it starts and one when it ends, not one per tick.
      if (isDatabaseUnavailable(error)) databaseOutage.failed(error)
      else deps.logger.warn({ err: errorMessage(error) }, `scheduler could not ${name}`)
    }
  }

  const loop = (async () => {
    while (!stopped) {
      await tick()
      if (stopped) break
      await new Promise<void>((resolve) => {
        wake = resolve
        timer = setTimeout(resolve, settings.tickMs)
      })
    }
  })()

  return {
    stats,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      wake?.()
      await loop
    },
  }
}
