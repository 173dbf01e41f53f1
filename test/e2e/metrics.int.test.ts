/**
 * Issue 6's /metrics acceptance: an API, a worker and a scheduler as processes; each one's
 * Prometheus series move as webhooks, a timer AREA and a sweeper re-enqueue flow through them.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toJson } from '../../src/db/json.js'
import type { Store } from '../../src/db/open.js'
import { type ApiUser, applyArea, sendWebhook, signup, waitFor, webhookOf } from '../support/api/client.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, shortLeases, type Topology } from '../support/daemon/topology.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { everyAction, sinkArea, webhookAction } from '../support/sink/sink-areas.js'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The Prometheus text format, enough of it for these series (no escaped quotes in label values). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line)
    if (!match) continue
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[pair[1]!] = pair[2]!
    samples.push({ name: match[1]!, labels, value: Number(match[3]) })
  }
  return samples
}

/** The sum of the samples named `name` whose labels include `labels`; undefined when there is none. */
function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matching = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )
  return matching.length ? matching.reduce((sum, s) => sum + s.value, 0) : undefined
}

async function scrape(baseUrl: string): Promise<Sample[]> {
  const response = await fetch(`${baseUrl}/metrics`)
  expect(response.status).toBe(200)
  return parseMetrics(await response.text())
}

describe('/metrics of the API, a worker and a scheduler', () => {
  let topology: Topology
  let store: Store
  let sink: HttpSink
  let api: DaemonProcess
  let worker: DaemonProcess
  let scheduler: DaemonProcess
  let user: ApiUser
  const metricsUrl = (p: DaemonProcess) => `http://127.0.0.1:${p.metricsPort}`
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({ name: 'metrics', env: shortLeases, startTimeoutMs: 120_000 })
    sink = await startHttpSink()
    // The API first: it migrates the database the others then use.
    ;[api] = await topology.start('api')
    ;[worker, scheduler] = await topology.start('worker', 'scheduler')
    store = await topology.store()
    user = await signup(api.url, 'metrics@example.test')
  }, 300_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 120_000)

  it('serves the probes on the metrics ports', async () => {
    for (const p of [worker, scheduler]) {
      expect(p.metricsPort).toBeTypeOf('number')
      for (const path of ['/healthz', '/readyz']) {
        expect((await fetch(`${metricsUrl(p)}${path}`)).status).toBe(200)
      }
    }
  })

  it('moves the webhook, job, scheduler and sweeper series as events flow', async () => {
    const before = {
      api: await scrape(api.url),
      worker: await scrape(metricsUrl(worker)),
      scheduler: await scrape(metricsUrl(scheduler)),
    }
    const accepted = (s: Sample[]) => sampleValue(s, 'area_webhook_requests_total', { status: '202' }) ?? 0
    const executions = (s: Sample[]) =>
      sampleValue(s, 'area_jobs_processed_total', { type: 'area_execution', outcome: 'succeeded' }) ?? 0
    const polls = (s: Sample[]) => sampleValue(s, 'area_jobs_processed_total', { type: 'poll' }) ?? 0
    const slots = (s: Sample[]) => sampleValue(s, 'area_poll_slots_enqueued_total') ?? 0
    const swept = (s: Sample[]) => sampleValue(s, 'area_sweeper_reenqueued_total') ?? 0

    await applyArea(
      user,
      sinkArea('hook-to-sink', webhookAction, sink.url, [
        { path: '/hook', body: { n: '{{ trigger.n }}' } },
      ]) as never,
    )
    await applyArea(user, sinkArea('tick-to-sink', everyAction('1s'), sink.url, [{ path: '/tick' }]) as never)
    const target = await webhookOf(user, 'hook-to-sink')
    for (let n = 1; n <= 5; n++) {
      expect((await sendWebhook(target, { n }, { baseUrl: api.url })).status).toBe(202)
    }

    // Counters move after the work is done, so wait on the scrape itself rather than on the sink.
    const apiAfter = await waitFor('webhook counter', async () => {
      const s = await scrape(api.url)
      return accepted(s) >= accepted(before.api) + 5 ? s : undefined
    })
    expect(
      sampleValue(apiAfter, 'area_webhook_request_duration_seconds_count', { status: '202' }),
    ).toBeGreaterThan(0)
    await waitFor('executions and polls counted by the worker', async () => {
      const s = await scrape(metricsUrl(worker))
      return executions(s) >= executions(before.worker) + 5 && polls(s) > polls(before.worker) ? s : undefined
    })
    const schedulerAfter = await waitFor('slots counted by the scheduler', async () => {
      const s = await scrape(metricsUrl(scheduler))
      return slots(s) > slots(before.scheduler) ? s : undefined
    })
    expect(sampleValue(schedulerAfter, 'area_poll_lag_seconds')).toBeTypeOf('number')
    expect(sampleValue(schedulerAfter, 'area_queue_jobs', { state: 'waiting' })).toBeTypeOf('number')

    // A stranded event: committed to the outbox a minute ago (past the sweeper's grace) and
    // never enqueued, as when Redis lost it. The scheduler's sweep enqueues it again.
    const hook = await store.db
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .innerJoin('areas as a', 'a.id', 'aa.area_id')
      .select(['h.id as hookJobId', 'a.id as areaId', 'a.user_id as userId'])
      .where('a.name', '=', 'hook-to-sink')
      .executeTakeFirstOrThrow()
    await store.db
      .insertInto('hook_logs')
      .values({
        hook_job_id: hook.hookJobId,
        area_id: hook.areaId,
        user_id: hook.userId,
        delivery_id: `msg_${randomUUID()}`,
        event_payload: toJson({ n: 99 }),
        detected_at: new Date(Date.now() - 60_000),
      })
      .execute()
    await waitFor('a sweeper re-enqueue', async () => {
      const s = await scrape(metricsUrl(scheduler))
      return swept(s) > swept(before.scheduler) ? s : undefined
    })
    // …and the worker runs it.
    await waitFor('the swept event reaching the sink', async () =>
      sink.requests.find((r) => r.path === '/hook' && (r.json as { n?: number }).n === 99),
    )
  }, 180_000)
})
