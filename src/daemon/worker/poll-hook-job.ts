/**
 * The `poll` job: run one polling slot of a hook job, record new items as events (deduplicated
 * by the engine through the store), then enqueue their executions. The slot's `poll_slots` row
 * ends with the poll's commit, or here when the slot is skipped or fails for good, so the
 * scheduler's sweep only enqueues again slots that did not run (docs/architecture.md,
 * "Claim-based scheduling").
 */
import { errorMessage } from '../../engine/errors.js'
import { runPoll } from '../../engine/poll.js'
import { withTraceparent } from '../../engine/tracing.js'
import type { JsonObject } from '../../engine/types.js'
import { loadAreaByActionId } from '../../store/load-area.js'
import { recordPollFailure } from '../../store/poll-failures.js'
import { finishPollSlot } from '../../store/poll-slots.js'
import { createPollStatePort } from '../../store/polls.js'
import { isPermanentFailure } from '../queue/retry.js'
import type { AttemptContext, PollJobData, WorkerDeps } from './deps.js'

export type PollOutcome =
  | { status: 'skipped'; reason: string }
  /** `requeued`: events an earlier run of this poll recorded but did not get to enqueue. */
  | { status: 'polled'; baseline: boolean; fired: number; requeued: number }

export async function pollHookJob(
  deps: WorkerDeps,
  job: PollJobData,
  ctx: AttemptContext,
): Promise<PollOutcome> {
  let outcome: PollOutcome
  try {
    outcome = await poll(deps, job, ctx)
  } catch (error) {
    // A slot that failed for good is spent (the next slot polls again); one that will be retried,
    // or that is handed back at shutdown, stays recorded. If this write fails too, the sweep
    // revives the job later.
    if (ctx.signal.aborted) throw error
    const final = isPermanentFailure(error) || ctx.attempt >= ctx.maxAttempts
    await recordFailure(deps, job, ctx, error, final)
    if (final) await finish(deps, job)
    throw error
  }
  if (outcome.status === 'skipped') await finish(deps, job)
  return outcome
}

/** Shown by describe, get and the logs; a write that fails here only costs that visibility. */
async function recordFailure(
  deps: WorkerDeps,
  job: PollJobData,
  ctx: AttemptContext,
  error: unknown,
  final: boolean,
): Promise<void> {
  try {
    await recordPollFailure(deps.db, {
      hookJobId: job.hookJobId,
      slotMs: job.slotMs,
      attempt: ctx.attempt,
      // A permanent failure is not retried: this attempt is the last.
      maxAttempts: final ? ctx.attempt : ctx.maxAttempts,
      error: errorMessage(error),
    })
  } catch (writeError) {
    deps.logger.warn(
      { hookJobId: job.hookJobId, err: errorMessage(writeError) },
      'could not record the failed poll',
    )
  }
}

async function finish(deps: WorkerDeps, job: PollJobData): Promise<void> {
  try {
    await finishPollSlot(deps.db, job)
  } catch (error) {
    deps.logger.warn(
      { hookJobId: job.hookJobId, slotMs: job.slotMs, err: errorMessage(error) },
      'could not mark the polling slot done; the sweep will enqueue it again',
    )
  }
}

async function poll(deps: WorkerDeps, job: PollJobData, ctx: AttemptContext): Promise<PollOutcome> {
  const hookJob = await deps.db
    .selectFrom('hook_jobs')
    .select(['id', 'area_action_id', 'type', 'status', 'state', 'baseline_done'])
    .where('id', '=', job.hookJobId)
    .executeTakeFirst()
  if (!hookJob) return { status: 'skipped', reason: 'the hook job no longer exists' }
  if (hookJob.type !== 'polling' || hookJob.status !== 'active') {
    return {
      status: 'skipped',
      reason: `the hook job is ${hookJob.type === 'polling' ? hookJob.status : 'a webhook'}`,
    }
  }
  const area = await loadAreaByActionId(deps.db, hookJob.area_action_id, deps.secrets, deps.refreshConnection)
  if (!area?.enabled) return { status: 'skipped', reason: 'the AREA is disabled or deleted' }

  const { baseline, fired, pending } = await runPoll({
    engine: deps.engine,
    area,
    hookJob: {
      id: hookJob.id,
      state: (hookJob.state as JsonObject | null) ?? undefined,
      baselineDone: hookJob.baseline_done,
    },
    scheduledAt: new Date(job.slotMs),
    port: createPollStatePort(deps.db, { areaId: area.id, userId: area.userId, slotMs: job.slotMs }),
    logger: deps.logger,
    signal: ctx.signal,
  })
  // Pending events are enqueued again with their own job ids: one still queued is not doubled.
  const events = [...fired, ...pending]
  if (events.length) {
    try {
      // Each carries the poll's span (docs/architecture.md, "Traces").
      await deps.enqueueExecutions(
        withTraceparent(events.map((f) => ({ hookLogId: f.hookLogId, areaActionId: area.action.id }))),
      )
    } catch (error) {
      // The events are committed; the sweeper enqueues them once the queue is back.
      deps.logger.warn({ hookJobId: hookJob.id, err: errorMessage(error) }, 'could not enqueue new events')
    }
  }
  return { status: 'polled', baseline, fired: fired.length, requeued: pending.length }
}
