/**
 * The worker role: consumes `poll` and `area_execution` jobs and hands them to the handlers.
 */

import type { QueueSetup } from '../queue/index.js'
import type { JobConsumer } from '../queue/types.js'
import type { WorkerDeps } from './deps.js'
import { executeEvent } from './execute-event.js'
import { pollHookJob } from './poll-hook-job.js'

export async function startWorker(queue: QueueSetup, deps: WorkerDeps): Promise<JobConsumer> {
  const consumer = queue.createConsumer({
    async area_execution(data, ctx) {
      await executeEvent(deps, data, ctx)
    },
    async poll(data, ctx) {
      await pollHookJob(deps, data, ctx)
    },
  })
  await consumer.start()
  return consumer
}
