/**
 * The `area_execution` job: claim the event, run the AREA on it, record the outcome. Safe to
 * run twice for the same event (BullMQ delivers at least once): the claim keeps two workers
 * apart, and reactions that already succeeded are not run again.
 */
import { performance } from 'node:perf_hooks'
import { reactionAttempts } from '../../engine/area.js'
import { errorMessage, PermanentError, RetryableError } from '../../engine/errors.js'
import { ReactionFailedError, secretsReadBy } from '../../engine/run.js'
import { setSpanAttributes } from '../../engine/tracing.js'
import { loadRevisionArea, ReplayRefusedError } from '../../features/replay/revision-area.js'
import { skipSupersededEvent } from '../../store/area-flow.js'
import { createExecutionPort } from '../../store/executions.js'
import { claimHookLog, hookLogState } from '../../store/hook-logs.js'
import { loadAreaByActionId } from '../../store/load-area.js'
import { openUserSecrets } from '../../store/user-secrets.js'
import { isPermanentFailure } from '../queue/retry.js'
import type { AttemptContext, ExecutionJobData, WorkerDeps } from './deps.js'
import { holdEventLease } from './event-lease.js'

/** `taken_over`: the lease ran out and another worker claimed the event; it ends it. */
export type ExecutionResult = 'done' | 'skipped' | 'failed' | 'already_processed' | 'taken_over'

export async function executeEvent(
  deps: WorkerDeps,
  job: ExecutionJobData,
  ctx: AttemptContext,
): Promise<ExecutionResult> {
  // The AREA's flow control first, then the user's share: an event held back by either goes back
  // to the queue before it is claimed. Without flow control declared, `enter` is a map lookup.
  const flow = await deps.flow?.enter(job, ctx.attempt)
  if (flow?.kind === 'superseded') {
    await skipSupersededEvent(deps.db, job.hookLogId, flow.reason)
    return 'skipped'
  }
  try {
    const slot = await deps.tenancy?.gate?.enter(job.areaActionId)
    try {
      return await claimAndRun(deps, job, ctx)
    } finally {
      await slot?.release()
    }
  } catch (error) {
    await flow?.failed(error)
    throw error
  } finally {
    await flow?.release()
  }
}

async function claimAndRun(
  deps: WorkerDeps,
  job: ExecutionJobData,
  ctx: AttemptContext,
): Promise<ExecutionResult> {
  const claimedAt = performance.now()
  const claimed = deps.claims
    ? await deps.claims.claim(job.hookLogId)
    : await claimHookLog(deps.db, job.hookLogId, deps.leaseSeconds)
  if (!claimed) {
    const state = await hookLogState(deps.db, job.hookLogId)
    if (!state || state.processed) return 'already_processed'
    // Another worker holds the lease: come back when it would have expired.
    const leftMs = state.claimedUntil ? state.claimedUntil.getTime() - Date.now() : 0
    throw new RetryableError('this event is being processed by another worker', {
      code: 'event_busy',
      retryAfterMs: Math.max(1_000, leftMs + 500),
    })
  }
  // Every line of this execution, the reactions' own included, names the event and the AREA.
  const logger = deps.logger.child?.({ hookLogId: claimed.id, areaId: claimed.areaId }) ?? deps.logger
  const load = () => loadAreaByActionId(deps.db, job.areaActionId, deps.secrets, deps.refreshConnection)
  let area: Awaited<ReturnType<typeof load>>
  let refused: string | undefined
  if (claimed.replayRevision === undefined) {
    area = deps.areas ? await deps.areas.get(job.areaActionId, claimed.areaVersion, load) : await load()
  } else {
    // A replay of an earlier revision (docs/architecture.md, "Replay"): not cached, it is rare.
    try {
      const revision = { db: deps.db, registry: deps.engine.registry, secrets: deps.secrets }
      const target = { areaId: claimed.areaId, actionId: job.areaActionId, userId: claimed.userId }
      area = {
        ...(await loadRevisionArea(
          { ...revision, refresh: deps.refreshConnection },
          target,
          claimed.replayRevision,
        )),
        enabled: true,
      }
    } catch (error) {
      if (!(error instanceof ReplayRefusedError)) throw error
      refused = error.message
    }
  }
  // The lease is renewed while the run lasts, so only a dead (or stalled) worker's runs out.
  const lease = holdEventLease(
    { db: deps.db, leaseSeconds: deps.leaseSeconds, logger },
    { hookLogId: claimed.id, attempt: claimed.attempts, claimedAt },
  )
  const recorder = createExecutionPort(deps.db, {
    hookLogId: claimed.id,
    areaId: claimed.areaId,
    userId: claimed.userId,
    areaActionId: job.areaActionId,
    attempt: claimed.attempts,
    lease,
    ...(deps.writes ? { writer: deps.writes } : {}),
  })
  const takenOver = (): ExecutionResult => {
    logger.warn(
      { attempt: claimed.attempts },
      'another worker took this event over after its lease ran out; it runs the rest',
    )
    return 'taken_over'
  }
  setSpanAttributes({ 'area.id': claimed.areaId, 'area.name': area?.name })
  if (refused !== undefined) {
    lease.stop()
    await recorder.finish('failed', refused)
    return 'failed'
  }
  if (!area) {
    lease.stop()
    await recorder.finish('skipped', 'the AREA was deleted')
    return 'skipped'
  }
  const tenancy = deps.tenancy
  /**
   * Whether this failure is the run's last: permanent, or the attempts are spent, the lower of
   * the queue's and the failing reaction's `retry.attempts` (docs/architecture.md, "Running an
   * AREA's graph"). A run taken over is not this worker's to end.
   */
  const failsForGood = (error: unknown): boolean => {
    if (lease.lost) return false
    if (!(error instanceof ReactionFailedError)) return ctx.attempt >= attemptsFor(error)
    if (error.errorClass === 'permanent') return true
    return ctx.attempt >= attemptsFor(error)
  }
  /**
   * The run's attempts after this failure (docs/architecture.md, "Retry policy"): the failing
   * reaction's `retry.attempts`, else the server's AREA_RETRY_ATTEMPTS, within the queue's
   * ceiling (AREA_RETRY_MAX_ATTEMPTS).
   */
  const attemptsFor = (error: unknown): number => {
    const own = error instanceof ReactionFailedError ? error.retry?.attempts : undefined
    return reactionAttempts(own, {
      attempts: deps.retryAttempts ?? ctx.maxAttempts,
      maxAttempts: ctx.maxAttempts,
    })
  }
  try {
    // Read per event, not cached with the AREA: a secret set or changed applies to the next event.
    const secretNames = secretsReadBy(area)
    const secrets =
      secretNames.length > 0
        ? await openUserSecrets(deps.db, deps.secrets, claimed.userId, secretNames)
        : undefined
    const result = await deps.engine.runEvent({
      area,
      event: claimed.event,
      hookLogId: claimed.id,
      outcomes: recorder,
      logger,
      signal: ctx.signal,
      fingerprint: (text) => deps.secrets.fingerprint(claimed.userId, text),
      ...(secrets ? { secrets } : {}),
      failsForGood,
      attempt: ctx.attempt,
      ...(deps.graph ? { graph: deps.graph } : {}),
      ...(tenancy
        ? {
            templateBudget: tenancy.templateBudget,
            reactionTimeout: tenancy.reactionTimeout,
            ...(tenancy.render ? { renderParams: tenancy.render.forUser(claimed.userId) } : {}),
          }
        : {}),
    })
    if (result.status === 'skipped') {
      await recorder.finish('skipped', result.reason)
      return lease.lost ? takenOver() : 'skipped'
    }
    await recorder.finish('done')
    return lease.lost ? takenOver() : 'done'
  } catch (error) {
    if (lease.lost) {
      // Nothing to hand back or retry: the new holder's job runs the event.
      await recorder.release('taken over')
      return takenOver()
    }
    if (!failsForGood(error)) {
      await recorder.release(errorMessage(error))
      throw error
    }
    await recorder.finish('failed', errorMessage(error))
    logger.warn({ err: errorMessage(error) }, 'event failed')
    // The policy's attempts are spent before the queue's ceiling: the queue must not retry.
    const permanent =
      error instanceof ReactionFailedError ? error.errorClass === 'permanent' : isPermanentFailure(error)
    if (!permanent && ctx.attempt < ctx.maxAttempts) {
      const own = error instanceof ReactionFailedError ? error.retry?.attempts : undefined
      const spent =
        own === undefined ? `the server's ${attemptsFor(error)} attempts` : `its retry.attempts of ${own}`
      throw new PermanentError(`${errorMessage(error)} (${spent} are spent)`, {
        cause: error,
        code: 'retry_attempts_spent',
      })
    }
    throw error
  } finally {
    lease.stop()
  }
}
