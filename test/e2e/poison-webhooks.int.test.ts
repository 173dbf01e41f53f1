/**
 * One bad event does not fail its neighbours (docs/architecture.md, "Bad input and quotas"): a
 * validly signed webhook of 20,000 nested arrays, and one whose payload Postgres cannot store,
 * sent by one user at the same time as another user's deliveries, in one `area serve` process
 * (PGlite, the in-process queue): the bad ones get their own 400, the others are accepted and
 * their reactions run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ApiUser,
  applyArea,
  sendWebhook,
  signup,
  type WebhookTarget,
  waitFor,
  webhookOf,
} from '../support/api/client.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { sinkArea, webhookAction } from '../support/sink/sink-areas.js'

/** A signed delivery of `body` exactly as given (no JSON.stringify of ours). */
async function sendRaw(api: DaemonProcess, target: WebhookTarget, body: string) {
  const answer = await sendWebhook(target, undefined, { baseUrl: api.url, rawBody: body })
  return { status: answer.status, body: answer.body as { code?: string; detail?: string } }
}

describe('poison webhooks among good ones', () => {
  let topology: Topology
  let sink: HttpSink
  let api: DaemonProcess
  let attacker: ApiUser
  let victim: ApiUser
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({ name: 'poison', embedded: true })
    sink = await startHttpSink()
    ;[api] = await topology.start('all')
    attacker = await signup(api.url, 'attacker@example.test')
    victim = await signup(api.url, 'victim@example.test')
  }, 120_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 60_000)

  it('answers the bad deliveries 400 alone; the other user’s are accepted and executed', async () => {
    await applyArea(attacker, sinkArea('bait', webhookAction, sink.url, [{ path: '/attacker' }]) as never)
    await applyArea(
      victim,
      sinkArea('orders', webhookAction, sink.url, [
        { path: '/victim', body: { n: '{{ trigger.n }}' } },
      ]) as never,
    )
    const bait = await webhookOf(attacker, 'bait')
    const orders = await webhookOf(victim, 'orders')

    const depth = 20_000
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`
    const rounds = await Promise.all(
      Array.from({ length: 5 }, async (_, round) => {
        const [tooDeep, nul, ...good] = await Promise.all([
          sendRaw(api, bait, deep),
          sendRaw(api, bait, '{"text":"a \\u0000 here"}'),
          ...Array.from({ length: 4 }, (_, i) => sendRaw(api, orders, JSON.stringify({ n: round * 10 + i }))),
        ])
        return { tooDeep: tooDeep!, nul: nul!, good }
      }),
    )
    for (const { tooDeep, nul, good } of rounds) {
      expect(tooDeep.status).toBe(400)
      expect(tooDeep.body.code).toBe('json_too_deep')
      expect(tooDeep.body.detail).toContain('400 levels')
      expect(nul.status).toBe(400)
      expect(nul.body.detail).toContain('U+0000')
      expect(good.map((g) => g.status)).toEqual([202, 202, 202, 202])
    }

    const delivered = await waitFor('the victim’s 20 reactions', async () => {
      const seen = sink.requests.filter((r) => r.path === '/victim')
      return seen.length >= 20 ? seen : undefined
    })
    expect(new Set(delivered.map((r) => (r.json as { n: string }).n)).size).toBe(20)
    expect(sink.requests.filter((r) => r.path === '/attacker')).toEqual([])
  }, 120_000)
})
