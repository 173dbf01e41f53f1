/**
 * Starts the requested roles on one daemon context, and stops them in the order that loses
 * nothing: the API stops taking requests first (readiness goes false), then the scheduler
 * finishes its tick, then the worker drains or hands back its jobs, then the connections close.
 */

import { createConnectionRefresher } from '../features/connections/oauth/refresh.js'
import { findAreaFlow, findPendingEvent } from '../store/area-flow.js'
import { findAreaOwner } from '../store/area-owner.js'
import { createBatchedWriter } from '../store/execution-writer.js'
import { claimHookLogs } from '../store/hook-logs.js'
import { startApiServer } from './api/server.js'
import { networkStartNotice } from './config-network.js'
import { TENANCY_SETTINGS } from './config-tenancy.js'
import type { DaemonContext } from './context.js'
import { startMetricsServer } from './metrics-server.js'
import { startScheduler } from './scheduler/scheduler.js'
import { type RunningTracing, startTracing } from './tracing/start.js'
import { createAreaCache } from './worker/area-cache.js'
import { createClaimBatcher } from './worker/claim-batcher.js'
import { createFlowGate } from './worker/flow-gate.js'
import { memoryFlowStore, redisFlowStore } from './worker/flow-store.js'
import { createRenderPool } from './worker/render-pool.js'
import { createUserGate } from './worker/user-gate.js'
import { memoryUserSlots, redisUserSlots } from './worker/user-slots.js'
import { startWorker } from './worker/worker.js'

export interface RunningDaemon {
  /** The API's port when the role runs (useful with `--port 0`). */
  port: number | undefined
  stop(): Promise<void>
}

export async function startRoles(ctx: DaemonContext): Promise<RunningDaemon> {
  const wants = (role: 'api' | 'worker' | 'scheduler') =>
    ctx.config.roles.includes('all') || ctx.config.roles.includes(role)
  const stops: (() => Promise<void>)[] = []
  let port: number | undefined
  let metricsPort: number | undefined
  let tracing: RunningTracing | undefined
  const stopAll = async () => {
    for (const stop of stops.splice(0)) {
      try {
        await stop()
      } catch (error) {
        ctx.logger.error({ err: error }, 'error while stopping a role')
      }
    }
    // Last: the spans of the work the roles finished above are exported before the exit.
    await tracing?.stop().catch((error: unknown) => ctx.logger.warn({ err: error }, 'traces: stop failed'))
    await ctx.close()
  }
  try {
    tracing = await startTracing(ctx.config.tracing, { roles: ctx.config.roles, logger: ctx.logger })
    if (wants('api')) {
      const api = await startApiServer(ctx)
      port = api.port
      // `--port 0` picks a port at listen time; the default public URL must name that one.
      if (ctx.config.publicUrl === 'http://127.0.0.1:0') ctx.config.publicUrl = `http://127.0.0.1:${port}`
      stops.push(() => api.close())
    }
    if (!wants('api')) {
      // Without the API, /metrics and the probes get a port of their own; it closes first.
      // Several workers or schedulers on one host with the defaults: the second takes a free port.
      const metrics = await startMetricsServer(ctx.metrics, ctx.config.host, ctx.config.metricsPort, {
        fallbackToAnyPort: !ctx.config.startup.metricsPortGiven,
        logger: ctx.logger,
      })
      metricsPort = metrics.port
      stops.push(() => metrics.close())
    }
    if (wants('scheduler')) {
      const scheduler = startScheduler(
        { db: ctx.store.db, queue: ctx.queue.jobs, logger: ctx.logger, metrics: ctx.metrics },
        {
          retentionDays: ctx.config.logRetentionDays,
          tickMs: ctx.config.schedulerTickMs,
          pollSlotLeaseSeconds: ctx.config.polling.slotLeaseSeconds,
        },
      )
      stops.push(() => scheduler.stop())
    }
    if (wants('worker')) {
      const { tenancy } = ctx.config
      const render = createRenderPool(tenancy.templateThreads, (error) =>
        ctx.logger.error({ err: error }, 'template render thread failed'),
      )
      // One share per user across every worker: in Redis when the queue is, else in this process.
      const slots = ctx.config.redisUrl
        ? redisUserSlots({
            redisUrl: ctx.config.redisUrl,
            prefix: ctx.config.redisPrefix,
            limit: tenancy.userConcurrency,
            logger: ctx.logger,
          })
        : memoryUserSlots(tenancy.userConcurrency)
      // Flow control's state: shared in Redis when the queue is, else in this process.
      const flowStore = ctx.config.redisUrl
        ? redisFlowStore({
            redisUrl: ctx.config.redisUrl,
            prefix: ctx.config.redisPrefix,
            logger: ctx.logger,
          })
        : memoryFlowStore()
      const flow = createFlowGate({
        store: flowStore,
        areaFlow: (areaActionId) => findAreaFlow(ctx.store.db, areaActionId),
        pendingEvent: (hookLogId) => findPendingEvent(ctx.store.db, hookLogId),
        logger: ctx.logger,
        onWait: (reason) => ctx.metrics.flowWaits.inc({ reason }),
      })
      ctx.metrics.flowWaiting.source = () => flow.waiting()
      const closeTenancy = async () => {
        await render.close()
        await slots.close()
        await flowStore.close()
      }
      const consumer = await startWorker(
        ctx.queue,
        {
          db: ctx.store.db,
          engine: ctx.engine,
          secrets: ctx.secrets,
          logger: ctx.logger,
          leaseSeconds: ctx.config.leaseSeconds,
          retryAttempts: ctx.config.retry.attempts,
          refreshConnection: createConnectionRefresher(ctx.registry, ctx.engine.settingsFor),
          enqueueExecutions: (jobs) => ctx.queue.jobs.enqueueExecutions(jobs),
          areas: createAreaCache(),
          claims: createClaimBatcher((ids) => claimHookLogs(ctx.store.db, ids, ctx.config.leaseSeconds)),
          writes: createBatchedWriter(ctx.store.db),
          flow,
          graph: {
            concurrency: tenancy.reactionConcurrency,
            maxItems: { count: tenancy.forEachMaxItems, setting: TENANCY_SETTINGS.forEachMaxItems },
          },
          tenancy: {
            templateBudget: {
              timeMs: tenancy.templateBudgetMs,
              maxBytes: tenancy.templateMaxBytes,
              settings: {
                timeMs: TENANCY_SETTINGS.templateBudgetMs,
                maxBytes: TENANCY_SETTINGS.templateMaxBytes,
              },
            },
            reactionTimeout: {
              ms: tenancy.reactionTimeoutSeconds * 1000,
              setting: TENANCY_SETTINGS.reactionTimeoutSeconds,
            },
            render,
            gate: createUserGate(slots, (areaActionId) => findAreaOwner(ctx.store.db, areaActionId)),
          },
        },
        ctx.metrics,
      ).catch(async (error: unknown) => {
        await closeTenancy()
        throw error
      })
      // The render threads and slots outlive the drain: running jobs still use them.
      stops.push(async () => {
        await consumer.close(ctx.config.drainTimeoutMs)
        await closeTenancy()
      })
    }
  } catch (error) {
    await stopAll()
    throw error
  }
  ctx.logger.info(
    { roles: ctx.config.roles, port, metricsPort, queue: ctx.queue.kind, database: ctx.store.driver },
    'area is running',
  )
  // One line on what a user of this server may reach and whether strangers may sign up.
  const notice = networkStartNotice(ctx.config.network, ctx.config.signup)
  ctx.logger[notice.level](
    { outgoing: ctx.config.network.addressPolicy.text, signup: ctx.config.signup },
    notice.message,
  )
  return { port, stop: stopAll }
}
