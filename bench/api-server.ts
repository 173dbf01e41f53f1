/**
 * The API under benchmark, in a process of its own so the load generator does not share its event
 * loop: the real daemon context (DATABASE_URL, REDIS_URL, migrations, catalog, BullMQ producer)
 * and the webhook ingest route. Reports its port, then its figures on request, over IPC.
 *
 * By default it serves the ingest routes alone on a bare Fastify instance, with the ingest
 * settings of BENCH_INGEST_SETTINGS (the per-hook rate limit raised above what one machine can
 * send). BENCH_APP=full serves the whole API of app.ts instead (request ids, request logging at
 * LOG_LEVEL, metrics hooks), with the ingest routes as app.ts registers them, so with the
 * configured rate limit and without the batching counters.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { webhookRoutes } from '../src/daemon/api/webhooks/routes.js'
import { loadDaemonConfig } from '../src/daemon/config.js'
import { openDaemonContext } from '../src/daemon/context.js'
import { createWebhookIngest, type IngestSettings } from '../src/daemon/ingest/webhook-ingest.js'
import { createLogger } from '../src/daemon/logger.js'
import { type BenchMessage, sampleRss } from './ipc.js'

const config = loadDaemonConfig(process.env, { roles: ['api'], port: 0 })
const ctx = await openDaemonContext(config, { logger: createLogger(config.logLevel) })
const settings = JSON.parse(process.env.BENCH_INGEST_SETTINGS ?? '{}') as Partial<IngestSettings>
const ingest = createWebhookIngest(
  {
    db: ctx.store.db,
    secrets: ctx.secrets,
    enqueueExecutions: (jobs) => ctx.queue.jobs.enqueueExecutions(jobs),
    logger: ctx.logger,
  },
  settings,
)
const full = process.env.BENCH_APP === 'full'
// Imported only when used: the whole API's modules weigh on the RSS measured here.
const app: FastifyInstance = full
  ? await (await import('../src/daemon/api/app.js')).buildApp(ctx)
  : Fastify({ logger: false })
const route = { method: 'POST', url: '/webhooks/:service/:hookJobId' } as const
// Only before ready() may routes be added; hasRoute needs the app's own routes registered.
await app.after()
const ours = !app.hasRoute(route)
if (ours) await app.register(webhookRoutes, { ctx, ingest })
await app.listen({ host: '127.0.0.1', port: 0 })
const rss = sampleRss()

const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0
process.send?.({ type: 'listening', port } satisfies BenchMessage)
process.on('message', async (message: BenchMessage) => {
  if (message.type === 'stats?') {
    const stats = {
      rssPeakBytes: rss.peak(),
      ...(ours ? { ingest: { batcher: ingest.batcher.stats(), enqueuer: ingest.enqueuer.stats() } } : {}),
    }
    process.send?.({ type: 'stats', stats } satisfies BenchMessage)
  }
  if (message.type === 'rss-reset') rss.reset()
  if (message.type === 'stop') {
    rss.stop()
    await app.close()
    await ctx.close()
    process.exit(0)
  }
})
