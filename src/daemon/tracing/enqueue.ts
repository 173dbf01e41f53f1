/**
 * The `area.enqueue` span of each execution job that carries a trace (docs/architecture.md,
 * "Traces"): a child of the span that accepted its event (the webhook request), open until its
 * bulk add settles, and the parent the worker's span continues, so the job carries its context.
 */
import { type StartedSpan, startSpan, tracingEnabled } from '../../engine/tracing.js'
import type { ExecutionJobData } from '../queue/types.js'

export async function enqueueTraced(
  jobs: ExecutionJobData[],
  enqueue: (jobs: ExecutionJobData[]) => Promise<void>,
): Promise<void> {
  if (!tracingEnabled()) return enqueue(jobs)
  const spans: StartedSpan[] = []
  const carried = jobs.map((job) => {
    const span =
      job.traceparent === undefined
        ? undefined
        : startSpan('area.enqueue', {
            kind: 'producer',
            parent: job.traceparent,
            attributes: { 'area.event_id': job.hookLogId, 'area.jobs': jobs.length },
          })
    if (!span) return job
    spans.push(span)
    return { ...job, traceparent: span.traceparent }
  })
  try {
    await enqueue(carried)
  } catch (error) {
    // The event is committed: the scheduler's sweeper enqueues it later, in a trace of its own.
    for (const span of spans) {
      span.setAttributes({ 'area.outcome': 'left_to_sweeper' })
      span.end(error)
    }
    throw error
  }
  for (const span of spans) {
    span.setAttributes({ 'area.outcome': 'enqueued' })
    span.end()
  }
}
