/**
 * Issue 6's acceptance: the chart's topology (2 API replicas, 3 workers, 2 schedulers), each its
 * own process with the chart's configuration, on one Postgres and one Redis. Webhooks go to both
 * APIs and 100 polling AREAs fire while one of each role is restarted (SIGTERM) and another worker
 * is killed (SIGKILL); every accepted event runs to success once, no slot fires twice, and a
 * reaction is sent again only by the retry of an event the killed worker had in flight.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/db/open.js'
import { applyArea, sendWebhook, signup, type WebhookTarget, webhookOf } from '../support/api/client.js'
import { openTopology, printLogsOnFailure, shortLeases, type Topology } from '../support/daemon/topology.js'
import { seedPollingAreas } from '../support/db/seed.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { sinkArea, webhookAction } from '../support/sink/sink-areas.js'

const webhooks = 300
const sendEveryMs = 65
const pollingAreas = 100
const intervalSeconds = 2
// The chart's default (values.yaml `worker.concurrency`).
const workerConcurrency = 64

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('replicated topology: 2 APIs, 3 workers, 2 schedulers, restarts during the run', () => {
  let topology: Topology
  let store: Store
  let sink: HttpSink
  let target: WebhookTarget
  let started = 0
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    // What charts/area/templates/_helpers.tpl (`area.env`) gives every role, with the chart's
    // default values; PORT is `--port 0` and the metrics port 0 (set by startDaemon) because the
    // processes share one host. The scheduler tick and the short leases only make the test faster.
    // A loaded 2-core machine starts several tsx processes at once: generous start timeout.
    topology = await openTopology({
      name: 'replicated',
      env: {
        AREA_PUBLIC_URL: 'https://area.example.test',
        LOG_LEVEL: 'info',
        AREA_SIGNUP: 'open',
        AREA_LOG_RETENTION_DAYS: '30',
        AREA_WORKER_CONCURRENCY: String(workerConcurrency),
        AREA_DRAIN_TIMEOUT_MS: '25000',
        ...shortLeases,
      },
      startTimeoutMs: 120_000,
    })
    // Migrated here (the chart's pre-install Job) so that the seed can write before the roles start.
    store = await topology.migrate()
    sink = await startHttpSink()
    const [api] = await topology.start('api', 'api', 'worker', 'worker', 'worker', 'scheduler', 'scheduler')
    const user = await signup(api.url, 'replicated@example.test')
    await applyArea(
      user,
      sinkArea('hook-to-sink', webhookAction, sink.url, [
        { path: '/hook', body: { n: '{{ trigger.n }}' } },
      ]) as never,
    )
    target = await webhookOf(user, 'hook-to-sink')
    const { id: userId } = await store.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'replicated@example.test')
      .executeTakeFirstOrThrow()
    await seedPollingAreas(store.db, {
      userId,
      count: pollingAreas,
      prefix: 'tick',
      intervalSeconds,
      dueAt: new Date(Date.now() + 2_000),
      sinkUrl: `${sink.url}/tick`,
    })
    started = Date.now()
  }, 300_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 180_000)

  /**
   * Requests sent more than once for one idempotency key, checked against the events' claims: a
   * re-send needs a retry (another claim), so no key may be seen more often than its event was
   * claimed.
   */
  const repeatsOutsideRetries = async (requests: { headers: Record<string, unknown> }[]) => {
    const perKey = new Map<string, number>()
    for (const r of requests) {
      const key = String(r.headers['idempotency-key'])
      perKey.set(key, (perKey.get(key) ?? 0) + 1)
    }
    const repeated = [...perKey].filter(([, n]) => n > 1)
    const { rows } = await sql<{ id: string; attempts: number }>`
      select id, attempts from area.hook_logs
      where id = any(${repeated.map(([key]) => key.split(':')[0])}::uuid[])`.execute(store.db)
    const attempts = new Map(rows.map((row) => [row.id, row.attempts]))
    expect(repeated.filter(([key, n]) => n > (attempts.get(key.split(':')[0]!) ?? 1))).toEqual([])
    return { total: repeated.reduce((sum, [, n]) => sum + n - 1, 0) }
  }

  it('runs every accepted event once and fires every slot once across restarts', async () => {
    // Like a load balancer: alternate between the APIs, and send again (same webhook-id, so a
    // delivery committed before its answer was lost is not doubled) to the other one when an API
    // is going away (connection refused, 503 from a draining API).
    const accepted = new Set<number>()
    const deliveryIds = new Map<number, string>()
    let refusals = 0
    const deliver = async (n: number) => {
      const id = `msg_${randomUUID()}`
      deliveryIds.set(n, id)
      for (let attempt = 0; attempt < 100; attempt++) {
        const apis = topology.running('api')
        const api = apis[(n + attempt) % apis.length]!
        try {
          const answer = await sendWebhook(target, { n }, { id, baseUrl: api.url })
          if (answer.status >= 200 && answer.status < 300) {
            accepted.add(n)
            return
          }
        } catch {
          // Connection refused or reset: that replica is gone; try the next.
        }
        refusals++
        await sleep(100)
      }
    }
    const sending = (async () => {
      const inFlight: Promise<void>[] = []
      for (let n = 1; n <= webhooks; n++) {
        inFlight.push(deliver(n))
        await sleep(sendEveryMs)
      }
      await Promise.all(inFlight)
    })()

    // A rolling restart of one of each role, graceful: each exits 0, a replacement takes its place.
    await sleep(5_000)
    const first = (role: string) => topology.running(role)[0]!
    const [oldApi, oldWorker, oldScheduler] = [first('api'), first('worker'), first('scheduler')]
    expect(await Promise.all([oldApi.stop(), oldWorker.stop(), oldScheduler.stop()])).toEqual([0, 0, 0])
    await topology.start('api', 'worker', 'scheduler')

    // Then a crash: kill -9 another worker in the middle of its jobs, and start a replacement.
    await sleep(3_000)
    await first('worker').kill()
    await topology.start('worker')

    await sending
    expect(accepted.size).toBe(webhooks)
    // Let the polling AREAs run for a while, whatever the restarts cost in time.
    const ranFor = Date.now() - started
    if (ranFor < 20_000) await sleep(20_000 - ranFor)

    // Stop the schedulers (no new slots), then let the workers finish what was enqueued. The
    // sweeper stops with them, so what the killed worker left must be recovered by the workers
    // alone: BullMQ runs its stalled jobs elsewhere, and a poll run again enqueues the events its
    // first run recorded but did not enqueue (without that, such events stayed unprocessed here).
    const schedulers = topology.running('scheduler')
    for (const code of await Promise.all(schedulers.map((s) => s.stop()))) expect(code).toBe(0)
    const deadline = Date.now() + 120_000
    for (;;) {
      const { rows } = await sql<{ left: number }>`
        select count(*)::int as left from area.hook_logs where not processed`.execute(store.db)
      if (rows[0]?.left === 0) break
      if (Date.now() > deadline) {
        // Say which and how, so that a failure here can be understood from the CI log alone.
        const { rows: stuck } = await sql`
          select id, status, attempts, claimed_until, error from area.hook_logs
          where not processed limit 20`.execute(store.db)
        throw new Error(`${rows[0]?.left} events still unprocessed after 120 s: ${JSON.stringify(stuck)}`)
      }
      await sleep(250)
    }

    // Webhooks: each accepted delivery has exactly one hook_log, and nothing else got one.
    const { rows: perDelivery } = await sql<{ delivery_id: string; n: number }>`
      select l.delivery_id, count(*)::int as n from area.hook_logs l
      join area.hook_jobs j on j.id = l.hook_job_id
      where j.type = 'webhook' group by 1`.execute(store.db)
    const acceptedIds = [...accepted].map((n) => deliveryIds.get(n)!)
    expect(perDelivery.map((r) => r.delivery_id).sort()).toEqual(acceptedIds.sort())
    expect(perDelivery.every((r) => r.n === 1)).toBe(true)
    // …and a reaction request each, carrying its own n. A reaction in flight on the worker killed
    // with SIGKILL (sent, its success not yet recorded) is sent again by the retry with the same
    // idempotency key (docs/architecture.md, "Effectively-once reactions"); nothing else is ever
    // sent twice.
    const hookRequests = sink.requests.filter((r) => r.path === '/hook')
    expect([...new Set(hookRequests.map((r) => (r.json as { n: number }).n))].sort((a, b) => a - b)).toEqual(
      [...accepted].sort((a, b) => a - b),
    )
    const repeats = await repeatsOutsideRetries(hookRequests)

    // Polling: each slot fired once, every AREA fired, one reaction request per event.
    const { rows: perSlot } = await sql<{ hook_job_id: string; slot: string; n: number }>`
      select l.hook_job_id, l.event_payload->>'scheduled_at' as slot, count(*)::int as n
      from area.hook_logs l join area.hook_jobs j on j.id = l.hook_job_id
      where j.type = 'polling' group by 1, 2`.execute(store.db)
    expect(perSlot.filter((r) => r.n !== 1)).toEqual([])
    expect(new Set(perSlot.map((r) => r.hook_job_id)).size).toBe(pollingAreas)
    const tickRequests = sink.requests.filter((r) => r.path === '/tick')
    expect(new Set(tickRequests.map((r) => r.headers['idempotency-key'])).size).toBe(perSlot.length)
    const tickRepeats = await repeatsOutsideRetries(tickRequests)
    // Only what one killed worker had in flight: at most its concurrency.
    expect(repeats.total + tickRepeats.total).toBeLessThanOrEqual(workerConcurrency)

    const { rows: status } = await sql<{ status: string; n: number }>`
      select status, count(*)::int as n from area.hook_logs group by status`.execute(store.db)
    expect(status).toEqual([{ status: 'done', n: perDelivery.length + perSlot.length }])
    // How many sends met a replica going away: informative only, the timing decides it.
    console.info(
      `replicated topology: ${refusals} sends retried on the other API, ${repeats.total + tickRepeats.total} reactions re-sent after the SIGKILL`,
    )
  }, 420_000)
})
