/**
 * Prometheus metrics (prom-client), one registry per process: the API serves it at /metrics,
 * worker and scheduler processes through a small metrics port (metrics-server.ts).
 */
import type { Kysely } from 'kysely'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Database } from '../db/schema.js'
import { pollLagSeconds } from '../store/due-polls.js'
import type { JobQueue } from './queue/types.js'

export interface AreaMetrics {
  registry: Registry
  webhookRequests: Counter<'status'>
  webhookDuration: Histogram<'status'>
  jobsProcessed: Counter<'type' | 'outcome'>
  jobDuration: Histogram<'type' | 'outcome'>
  pollSlotsEnqueued: Counter
  sweeperReenqueued: Counter
  pollSlotsReenqueued: Counter
  pollSlotsSkipped: Counter<'catch_up'>
  /** Flow control's waits, by reason (docs/architecture.md, "Flow control"). */
  flowWaits: Counter<'reason'>
  /** The worker's flow gate reports its waiting events here (undefined: none in this process). */
  flowWaiting: { source?: () => Record<string, number> }
}

export function createMetrics(sources: { queue: JobQueue; db: Kysely<Database> }): AreaMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'area_' })
  const metrics: AreaMetrics = {
    registry,
    webhookRequests: new Counter({
      name: 'area_webhook_requests_total',
      help: 'Webhook deliveries received, by HTTP status answered',
      labelNames: ['status'],
      registers: [registry],
    }),
    webhookDuration: new Histogram({
      name: 'area_webhook_request_duration_seconds',
      help: 'Time to answer a webhook delivery (commit included)',
      labelNames: ['status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: 'area_jobs_processed_total',
      help: 'Jobs run by this worker, by type (poll, area_execution) and outcome (succeeded, failed)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'area_job_duration_seconds',
      help: 'Time to run one job, by type and outcome',
      labelNames: ['type', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    pollSlotsEnqueued: new Counter({
      name: 'area_poll_slots_enqueued_total',
      help: 'Polling slots claimed and enqueued by this scheduler',
      registers: [registry],
    }),
    sweeperReenqueued: new Counter({
      name: 'area_sweeper_reenqueued_total',
      help: 'Events found stranded in the outbox and enqueued again by this scheduler',
      registers: [registry],
    }),
    pollSlotsReenqueued: new Counter({
      name: 'area_poll_slots_reenqueued_total',
      help: 'Polling slots claimed but not polled within their lease, enqueued again by this scheduler',
      registers: [registry],
    }),
    pollSlotsSkipped: new Counter({
      name: 'area_poll_slots_skipped_total',
      help: 'Polling slots missed while no scheduler ran and not fired, by the catch_up that decided (none, latest, all)',
      labelNames: ['catch_up'],
      registers: [registry],
    }),
    flowWaits: new Counter({
      name: 'area_flow_waits_total',
      help: 'Events sent back to wait by flow control, by reason (concurrency, rate_limit, retry_after, debounce)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    flowWaiting: {},
  }
  new Gauge({
    name: 'area_flow_waiting_events',
    help: 'Events this worker sent back to wait under flow control whose wait has not run out, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const counts = metrics.flowWaiting.source?.()
      if (counts) for (const [reason, value] of Object.entries(counts)) this.set({ reason }, value)
    },
  })
  new Gauge({
    name: 'area_queue_jobs',
    help: 'Jobs in the queue by state (waiting, active, delayed, failed, completed)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      try {
        const counts = await sources.queue.counts()
        for (const [state, value] of Object.entries(counts)) this.set({ state }, value)
      } catch {
        // Redis away: the series keep their last values rather than failing the scrape.
      }
    },
  })
  new Gauge({
    name: 'area_poll_lag_seconds',
    help: 'Now minus the next_run_at of the oldest due polling job (0 when on time)',
    registers: [registry],
    async collect() {
      try {
        this.set(await pollLagSeconds(sources.db))
      } catch {
        // The database away: keep the last value.
      }
    },
  })
  return metrics
}
