/**
 * Issue 11's fault run, with every role its own process: an API, two workers and a scheduler on
 * a private Postgres and Redis, signed webhooks at ~40/s for ~10 s to an AREA that posts to a
 * local sink, and Postgres restarted twice mid-load (`-m fast`, then `-m immediate`). The sender
 * retries a 503 after its Retry-After, as a webhook sender does. Nothing may exit, nothing be
 * answered 500, and every accepted delivery must reach the sink, once (a reaction repeated by a
 * retry carries the same idempotency key; docs/architecture.md, "Effectively-once reactions").
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  applyArea,
  sendWebhook,
  signup,
  type WebhookTarget,
  waitFor,
  webhookOf,
} from '../support/api/client.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, shortLeases, type Topology } from '../support/daemon/topology.js'
import { type PrivatePostgres, privatePostgres } from '../support/db/private-postgres.js'
import { type PrivateRedis, privateRedis } from '../support/redis.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { sinkArea, webhookAction } from '../support/sink/sink-areas.js'

const RATE_PER_SECOND = 40
const SECONDS = 10
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Sent {
  n: number
  /** Every status answered, retries included. */
  statuses: number[]
}

/**
 * One delivery, sent until it is answered something other than 503: the same webhook-id each
 * time (the sender's retry of one message), signed anew, after the Retry-After it was given.
 */
async function deliver(apiUrl: string, target: WebhookTarget, n: number): Promise<Sent> {
  const id = `msg_${randomUUID()}`
  const body = JSON.stringify({ n })
  const statuses: number[] = []
  for (let attempt = 0; attempt < 60; attempt++) {
    // Signed anew each time (a fresh timestamp), under the same webhook-id.
    const answer = await sendWebhook(target, undefined, { id, baseUrl: apiUrl, rawBody: body })
    statuses.push(answer.status)
    if (answer.status !== 503) return { n, statuses }
    const retryAfter = Number(answer.headers.get('retry-after') ?? '1')
    await sleep(Math.max(0.2, retryAfter) * 1000)
  }
  return { n, statuses }
}

describe('a Postgres restart under webhook load, every role its own process', () => {
  let postgres: PrivatePostgres
  let redis: PrivateRedis
  let topology: Topology
  let sink: HttpSink
  let api: DaemonProcess
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    postgres = await privatePostgres()
    await postgres.start()
    redis = await privateRedis()
    await redis.start()
    sink = await startHttpSink()
    topology = await openTopology({
      name: 'pgrestart',
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      env: shortLeases,
      startTimeoutMs: 120_000,
    })
    ;[api] = await topology.start('api')
    await topology.start('worker', 'worker', 'scheduler')
  }, 300_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
    await redis?.stop()
    await postgres?.destroy()
  }, 120_000)

  it('exits nothing, answers no 500, and delivers every accepted webhook once', async () => {
    const user = await signup(api.url, 'pgrestart@example.test')
    await applyArea(
      user,
      sinkArea('restarts', webhookAction, sink.url, [{ path: '/post', body: { n: '{{ trigger.n }}' } }]),
    )
    const target = await webhookOf(user, 'restarts')

    const total = RATE_PER_SECOND * SECONDS
    const sending: Promise<Sent>[] = []
    const load = (async () => {
      for (let n = 1; n <= total; n++) {
        sending.push(deliver(api.url, target, n))
        await sleep(1000 / RATE_PER_SECOND)
      }
    })()
    await sleep(3_000)
    await postgres.restart('fast')
    await sleep(3_000)
    await postgres.restart('immediate')
    await load
    const sent = await Promise.all(sending)

    const answered = sent.flatMap((s) => s.statuses)
    // The restarts were felt (some 503s), and never as a 500.
    expect(answered.filter((status) => status >= 500 && status !== 503)).toEqual([])
    const accepted = sent.filter((s) => {
      const last = s.statuses.at(-1)
      return last === 202 || last === 200
    })
    expect(accepted.map((s) => s.n)).toEqual(sent.map((s) => s.n))

    const delivered = await waitFor(
      'every accepted delivery at the sink',
      async () => {
        const exited = topology.processes.find(
          (p) => p.child.exitCode !== null || p.child.signalCode !== null,
        )
        if (exited)
          throw new Error(`${exited.name} exited (${exited.child.exitCode ?? exited.child.signalCode})`)
        const ns = new Set(sink.requests.map((r) => (r.json as { n: number }).n))
        return accepted.every((s) => ns.has(s.n)) ? ns : undefined
      },
      120_000,
    )
    expect(delivered.size).toBe(accepted.length)
    // Once per delivery: a reaction repeated after a failed write of its success carries the
    // same idempotency key, which the target uses to drop it; never a new key.
    const keysByN = new Map<number, Set<string>>()
    for (const request of sink.requests) {
      const n = (request.json as { n: number }).n
      const keys = keysByN.get(n) ?? new Set<string>()
      keys.add(String(request.headers['idempotency-key']))
      keysByN.set(n, keys)
    }
    expect([...keysByN.values()].filter((keys) => keys.size !== 1)).toEqual([])
    const repeated = sink.requests.length - delivered.size
    console.info(
      `postgres restarts: ${answered.filter((s) => s === 503).length} answers 503, ${repeated} reactions repeated under the same key`,
    )

    // One line per outage and per recovery, not one per refused request: two restarts, so at
    // most two outages per process, each a warning (its start) and an info line (its end).
    for (const p of topology.processes) {
      expect(p.logs.filter((l) => (l.level as number) >= 50)).toEqual([])
    }
    // The scheduler fails a tick every 200 ms while Postgres is away: still one line per outage.
    const schedulerWarnings = topology.processes
      .filter((p) => p.role === 'scheduler')
      // The start notice about outgoing addresses is a warning of its own, once, at start.
      .flatMap((p) =>
        p.logs.filter((l) => (l.level as number) >= 40 && !('outgoing' in l)).map((l) => String(l.msg)),
      )
    expect(schedulerWarnings.length).toBeLessThanOrEqual(2)
    for (const msg of schedulerWarnings) expect(msg).toMatch(/^scheduler: postgres is unavailable/)
    const apiOutages = api.logs.filter((l) => String(l.msg).startsWith('api: postgres is unavailable'))
    expect(apiOutages.length).toBeGreaterThanOrEqual(1)
    expect(apiOutages.length).toBeLessThanOrEqual(2)
    for (const p of topology.processes) {
      expect({ name: p.name, exit: p.child.exitCode, signal: p.child.signalCode }).toEqual({
        name: p.name,
        exit: null,
        signal: null,
      })
    }
  }, 240_000)
})
