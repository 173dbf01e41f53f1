/**
 * The worker role: consumes `poll` and `area_execution` jobs and hands them to the handlers,
 * timing each one for /metrics. A job that fails for want of the database is retried by the
 * queue like any other failure; the outage is logged once when it starts and once when it ends.
 */
import { isDatabaseUnavailable } from '../../db/unavailable.js'
import type { AreaMetrics } from '../metrics.js'
import { createOutageLog } from '../outage-log.js'
import type { QueueSetup } from '../queue/index.js'
import { type JobConsumer, type JobContext, JobDeferredError, type JobKind } from '../queue/types.js'
import { traceExecution, tracePoll } from '../tracing/job-spans.js'
import type { WorkerDeps } from './deps.js'
import { executeEvent } from './execute-event.js'
import { pollHookJob } from './poll-hook-job.js'

export async function startWorker(
  queue: QueueSetup,
  deps: WorkerDeps,
  metrics?: Pick<AreaMetrics, 'jobsProcessed' | 'jobDuration'>,
): Promise<JobConsumer> {
  const databaseOutage = createOutageLog(deps.logger, {
    dependency: 'postgres',
    component: 'worker',
    counting: 'job attempts failed',
  })
  const measured =
    <D>(type: JobKind, run: (data: D, ctx: JobContext) => Promise<unknown>) =>
    async (data: D, ctx: JobContext) => {
      const started = performance.now()
      let outcome = 'failed'
      try {
        await run(data, ctx)
        outcome = 'succeeded'
        databaseOutage.succeeded()
      } catch (error) {
        if (error instanceof JobDeferredError) outcome = 'deferred'
        else if (isDatabaseUnavailable(error)) databaseOutage.failed(error)
        throw error
      } finally {
        metrics?.jobsProcessed.inc({ type, outcome })
        metrics?.jobDuration.observe({ type, outcome }, (performance.now() - started) / 1000)
      }
    }
  const consumer = queue.createConsumer({
    area_execution: measured('area_execution', (data, ctx) =>
      traceExecution(data, ctx, () => executeEvent(deps, data, ctx)),
    ),
    poll: measured('poll', (data, ctx) => tracePoll(data, ctx, () => pollHookJob(deps, data, ctx))),
  })
  await consumer.start()
  return consumer
}
