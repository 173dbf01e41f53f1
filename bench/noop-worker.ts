/**
 * The worker figure's reference: a bare BullMQ Worker on the project's queue name, whose
 * processor does nothing, with BENCH_CONCURRENCY jobs at once under BENCH_PREFIX. It connects,
 * says it is ready, and starts taking jobs on `go`.
 */
import { Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { DEFAULT_QUEUE_NAME } from '../src/daemon/queue/bullmq.js'
import type { BenchMessage } from './ipc.js'

// As the project's worker connection: blocking commands wait out an outage.
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: null,
})
const worker = new Worker(DEFAULT_QUEUE_NAME, async () => {}, {
  connection,
  prefix: process.env.BENCH_PREFIX,
  concurrency: Number(process.env.BENCH_CONCURRENCY),
  autorun: false,
})
await worker.waitUntilReady()
process.send?.({ type: 'listening', port: 0 } satisfies BenchMessage)

let stopping: Promise<never> | undefined
const stop = () => {
  stopping ??= (async () => {
    await worker.close()
    await connection.quit()
    process.exit(0)
  })()
  return stopping
}
process.on('disconnect', () => void stop())
process.on('message', async (message: BenchMessage) => {
  if (message.type === 'go') void worker.run()
  if (message.type === 'stats?')
    process.send?.({ type: 'stats', stats: { rssPeakBytes: 0 } } satisfies BenchMessage)
  if (message.type === 'stop') await stop()
})
