/**
 * One tenant against another, with every role its own process: the attacker tarpits reactions (a
 * target that accepts and never answers), floods templates that spend their whole budget, and
 * sends poison webhooks (bad signatures, deep nesting); meanwhile the victim's webhook → reaction
 * latency stays within VICTIM_P99_BOUND_MS (the README's "One tenant against the others") and
 * every one of the victim's events arrives. Without the per-user share the tarpit holds every
 * worker slot until its timeout; without render threads the templates hold the event loop.
 */
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ApiUser,
  applyArea,
  call,
  sendWebhook,
  signup,
  waitFor,
  webhookOf,
} from '../support/api/client.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { sinkArea, webhookAction } from '../support/sink/sink-areas.js'

/** The bound the README states for the victim's p99 under this attack. */
const VICTIM_P99_BOUND_MS = 5_000
const USER_CONCURRENCY = 4
const VICTIM_EVENTS = 20

// One loop renders nothing for a long while: together they spend an event's whole budget.
const hostileLoop = '{% for i in (1..2000) %}{% for j in (1..2000) %}{% endfor %}{% endfor %}'

/** A TCP server that accepts connections and never answers: a tarpit. */
async function startTarpit() {
  const sockets = new Set<Socket>()
  let accepted = 0
  const server = createServer((socket) => {
    sockets.add(socket)
    accepted += 1
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => sockets.size,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN

describe('a victim tenant while another attacks', () => {
  let topology: Topology
  let sink: HttpSink
  let tarpit: Awaited<ReturnType<typeof startTarpit>>
  let api: DaemonProcess
  let attacker: ApiUser
  let victim: ApiUser
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({
      name: 'adversarial',
      // The machine may be busy: starting three processes from the sources takes a while then.
      startTimeoutMs: 180_000,
      env: {
        AREA_WORKER_CONCURRENCY: '16',
        AREA_USER_CONCURRENCY: String(USER_CONCURRENCY),
        AREA_TEMPLATE_BUDGET_MS: '1000',
        // Short, so the tarpitted reactions are cut and retried and the template flood gets the
        // attacker's slots in between.
        AREA_REACTION_TIMEOUT_SECONDS: '5',
        AREA_HTTP_ALLOW_PRIVATE: 'all',
      },
    })
    sink = await startHttpSink()
    tarpit = await startTarpit()
    ;[api] = await topology.start('api', 'worker', 'scheduler')
    attacker = await signup(api.url, 'attacker@example.test')
    victim = await signup(api.url, 'victim@example.test')
  }, 300_000)

  afterAll(async () => {
    await tarpit?.close()
    await topology?.close()
    await sink?.close()
  }, 120_000)

  it(`keeps the victim's webhook → reaction p99 under ${VICTIM_P99_BOUND_MS} ms, every event delivered`, async () => {
    await applyArea(
      attacker,
      sinkArea('tarpit', webhookAction, tarpit.url, [
        { path: '/hold', body: { n: '{{ trigger.n }}' } },
      ]) as never,
    )
    const heavy = sinkArea('heavy', webhookAction, sink.url, [
      { path: '/heavy', body: { n: '{{ trigger.n }}' } },
    ])
    const reactions = heavy.spec.reactions as { params: Record<string, unknown> }[]
    reactions[0]!.params.headers = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`x-loop-${i}`, hostileLoop]),
    )
    await applyArea(attacker, heavy as never)
    await applyArea(
      victim,
      sinkArea('victim', webhookAction, sink.url, [
        { path: '/victim', body: { n: '{{ trigger.n }}' } },
      ]) as never,
    )
    const tarpitHook = await webhookOf(attacker, 'tarpit')
    const heavyHook = await webhookOf(attacker, 'heavy')
    const victimHook = await webhookOf(victim, 'victim')

    // The attack: 40 tarpitted reactions (more than every worker slot), 30 template floods,
    // and poison webhooks, all while the victim sends.
    const send = (target: typeof tarpitHook, payload: unknown) =>
      sendWebhook(target, payload, { baseUrl: api.url })
    for (let n = 0; n < 40; n++) expect((await send(tarpitHook, { n })).status).toBe(202)
    for (let n = 0; n < 30; n++) expect((await send(heavyHook, { n })).status).toBe(202)
    await waitFor('the tarpit to hold the attacker’s share', async () =>
      tarpit.open() >= USER_CONCURRENCY ? true : undefined,
    )
    // 40 tarpitted events are queued, but the attacker holds no more than their share: still
    // exactly that many a moment later (the ceiling cuts them only after 5 s).
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(tarpit.open()).toBe(USER_CONCURRENCY)
    let poisoning = true
    const poison = (async () => {
      while (poisoning) {
        // A forged signature, then a signed body nested 20,000 deep.
        await fetch(`${api.url}${new URL(tarpitHook.webhookUrl).pathname}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': 'msg_forged',
            'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
            'webhook-signature': 'v1,AAAA',
          },
          body: '{}',
        }).catch(() => undefined)
        await sendWebhook(tarpitHook, undefined, { baseUrl: api.url, rawBody: nested(20_000) }).catch(
          () => undefined,
        )
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })()

    const receivedAt = new Map<number, number>()
    sink.respond = (request) => {
      const n = (request.json as { n?: number } | undefined)?.n
      if (request.path === '/victim' && typeof n === 'number' && !receivedAt.has(n))
        receivedAt.set(n, Date.now())
      return undefined
    }
    const sentAt = new Map<number, number>()
    for (let n = 0; n < VICTIM_EVENTS; n++) {
      sentAt.set(n, Date.now())
      // A sender retries a 503 (the outage answer), as webhook senders do.
      await waitFor(`victim webhook ${n} accepted`, async () => {
        const answer = await send(victimHook, { n })
        return answer.status === 202 ? true : undefined
      })
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    await waitFor(
      'every victim event at the sink',
      async () => (receivedAt.size >= VICTIM_EVENTS ? true : undefined),
      60_000,
    )
    poisoning = false
    await poison

    expect([...receivedAt.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: VICTIM_EVENTS }, (_, i) => i),
    )
    const latencies = [...sentAt]
      .map(([n, at]) => (receivedAt.get(n) ?? Number.NaN) - at)
      .sort((a, b) => a - b)
    const p99 = percentile(latencies, 99)
    console.info(`victim latency under attack: p50 ${percentile(latencies, 50)} ms, p99 ${p99} ms`)
    expect(p99).toBeLessThan(VICTIM_P99_BOUND_MS)
    // The attack was real: tarpitted reactions were cut at the ceiling and tried again, and
    // templates spent their budget and failed without reaching anyone.
    expect(tarpit.accepted()).toBeGreaterThan(USER_CONCURRENCY)
    expect(sink.requests.some((r) => r.path === '/heavy')).toBe(false)
    // The flood shares the attacker's slots with the tarpit, so its events run as those free up.
    await waitFor(
      'a template flood event failed on its budget',
      async () => {
        const { body } = await call<{ items: { executions: { errorText: string | null }[] }[] }>(
          api.url,
          'GET',
          '/v1/logs?area=heavy',
          { token: attacker.token },
        )
        return body.items.some((item) =>
          item.executions.some((e) => e.errorText?.includes('template time budget of 1000 ms')),
        )
          ? true
          : undefined
      },
      90_000,
    )
  }, 240_000)
})
