/**
 * The worker's spans (docs/architecture.md, "Traces"): `area.execute` for one attempt of an
 * event, `area.poll` for one attempt of a polling slot. Each continues the trace its job carries
 * (the webhook's, the poll's, the scheduler's), on every attempt, so retries line up in one trace.
 * Off, the job runs as is: not even a no-op span.
 */
import { inSpan, type TraceSpan, tracingEnabled } from '../../engine/tracing.js'
import { isPermanentFailure } from '../queue/retry.js'
import { type ExecutionJobData, type JobContext, JobDeferredError, type PollJobData } from '../queue/types.js'

type Attempt = Pick<JobContext, 'attempt' | 'maxAttempts'>

export function traceExecution<R extends string>(
  job: ExecutionJobData,
  ctx: Attempt,
  run: () => Promise<R>,
): Promise<R> {
  if (!tracingEnabled()) return run()
  return inSpan(
    'area.execute',
    {
      kind: 'consumer',
      ...(job.traceparent ? { parent: job.traceparent } : {}),
      attributes: {
        'area.event_id': job.hookLogId,
        'area.attempt': ctx.attempt,
        'area.max_attempts': ctx.maxAttempts,
      },
    },
    (span) => withOutcome(span, ctx, run),
  )
}

export function tracePoll<R extends { status: string }>(
  job: PollJobData,
  ctx: Attempt,
  run: () => Promise<R>,
): Promise<R> {
  if (!tracingEnabled()) return run()
  return inSpan(
    'area.poll',
    {
      kind: 'consumer',
      ...(job.traceparent ? { parent: job.traceparent } : {}),
      attributes: {
        'area.hook_job_id': job.hookJobId,
        'area.slot': new Date(job.slotMs).toISOString(),
        'area.attempt': ctx.attempt,
      },
    },
    async (span) => {
      const outcome = await withOutcome(span, ctx, run)
      if ('fired' in outcome && typeof outcome.fired === 'number')
        span.setAttributes({ 'area.events': outcome.fired })
      return outcome
    },
  )
}

/** `area.outcome`: the result, or what the queue does next with a failed attempt. */
async function withOutcome<R>(span: TraceSpan, ctx: Attempt, run: () => Promise<R>): Promise<R> {
  try {
    const result = await run()
    span.setAttributes({
      'area.outcome': typeof result === 'string' ? result : (result as { status: string }).status,
    })
    return result
  } catch (error) {
    span.setAttributes({ 'area.outcome': failedOutcome(error, ctx) })
    throw error
  }
}

function failedOutcome(error: unknown, ctx: Attempt): string {
  if (error instanceof JobDeferredError) return 'deferred'
  return isPermanentFailure(error) || ctx.attempt >= ctx.maxAttempts ? 'failed' : 'retry'
}
