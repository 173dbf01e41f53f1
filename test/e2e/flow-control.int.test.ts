/**
 * Flow control (issue 16) as deployed: an API, TWO worker processes and a scheduler on one
 * Postgres and one Redis, and the embedded single process. A local sink records when each call
 * arrived and when it was answered, so calls in flight at once show as overlapping intervals:
 * `concurrency: 1` never overlaps across the two workers, a per-key limit lets different keys
 * overlap, `rate_limit` spaces the starts and a 429 with Retry-After holds the AREA's further
 * calls, `debounce` runs a burst once with its last event; another user's AREA meanwhile runs
 * without waiting behind the throttled one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ApiUser,
  applyArea,
  call,
  sendWebhook,
  signup,
  type WebhookTarget,
  waitFor,
  webhookOf,
} from '../support/api/client.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'
import { type HttpSink, type SinkRequest, startHttpSink } from '../support/sink/http-sink.js'
import { sinkArea, webhookAction } from '../support/sink/sink-areas.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** An AREA posting `{ n, key }` of its event to `path` on the sink, with flow keys in its spec. */
function flowArea(name: string, sink: HttpSink, path: string, flow: Record<string, unknown>) {
  const area = sinkArea(name, webhookAction, sink.url, [
    { path, body: { n: '{{ trigger.n }}', key: '{{ trigger.repo }}' } },
  ])
  Object.assign(area.spec, flow)
  return area as never
}

const calls = (sink: HttpSink, path: string) => sink.requests.filter((r) => r.path === path)
const answered = (sink: HttpSink, path: string, count: number) =>
  waitFor(`${count} answered calls to ${path}`, async () => {
    const got = calls(sink, path).filter((r) => r.answeredAt !== undefined)
    return got.length >= count ? got : undefined
  })
const overlap = (a: SinkRequest, b: SinkRequest) =>
  a.receivedAt < (b.answeredAt ?? Number.POSITIVE_INFINITY) &&
  b.receivedAt < (a.answeredAt ?? Number.POSITIVE_INFINITY)
const overlappingPairs = (requests: SinkRequest[]) =>
  requests.flatMap((a, i) =>
    requests
      .slice(i + 1)
      .filter((b) => overlap(a, b))
      .map((b) => [a, b]),
  )
const nOf = (r: SinkRequest) => (r.json as { n: number }).n
const keyOf = (r: SinkRequest) => (r.json as { key: string }).key

async function logsOf(user: ApiUser, area: string) {
  const { body } = await call<{ items: { status: string; error: string | null; attempts: number }[] }>(
    user.baseUrl,
    'GET',
    `/v1/logs?area=${area}`,
    { token: user.token },
  )
  return body.items
}

/** Sends every payload at once, each as its own delivery. */
async function sendAll(target: WebhookTarget, api: DaemonProcess, payloads: unknown[]): Promise<void> {
  const answers = await Promise.all(payloads.map((p) => sendWebhook(target, p, { baseUrl: api.url })))
  expect(answers.map((a) => a.status)).toEqual(payloads.map(() => 202))
}

describe('flow control across two worker processes (Postgres, Redis)', () => {
  let topology: Topology
  let sink: HttpSink
  let api: DaemonProcess
  let workers: DaemonProcess[]
  let user: ApiUser
  let first429At: number | undefined
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({ name: 'flow', startTimeoutMs: 120_000 })
    sink = await startHttpSink()
    sink.respond = (request) => {
      if (request.path === '/serial') return { status: 200, delayMs: 700 }
      // Long enough that each key's first call is still in flight when the other key's starts.
      if (request.path === '/keyed') return { status: 200, delayMs: 2_500 }
      if (request.path === '/held' && first429At === undefined) {
        first429At = request.receivedAt
        return { status: 429, headers: { 'retry-after': '4' }, body: { error: 'slow down' } }
      }
      return undefined
    }
    const started = await topology.start('api', 'worker', 'worker', 'scheduler')
    api = started[0]
    workers = [started[1], started[2]]
    user = await signup(api.url, 'flow@example.test')
  }, 300_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 120_000)

  it('concurrency 1 never overlaps across the two workers; per key, different keys overlap', async () => {
    await applyArea(user, flowArea('serial', sink, '/serial', { concurrency: 1 }))
    await applyArea(
      user,
      flowArea('keyed', sink, '/keyed', { concurrency: { limit: 1, key: 'trigger.repo' } }),
    )
    const serial = await webhookOf(user, 'serial')
    const keyed = await webhookOf(user, 'keyed')
    // Another user's AREA without flow control, sent at the same time.
    const other = await signup(api.url, 'flow-other@example.test')
    await applyArea(other, flowArea('free', sink, '/free', {}))
    const free = await webhookOf(other, 'free')
    await Promise.all([
      sendAll(
        free,
        api,
        Array.from({ length: 6 }, (_, i) => ({ n: i + 1 })),
      ),
      sendAll(
        serial,
        api,
        Array.from({ length: 6 }, (_, i) => ({ n: i + 1 })),
      ),
      sendAll(keyed, api, [
        { n: 1, repo: 'a' },
        { n: 2, repo: 'a' },
        { n: 3, repo: 'b' },
        { n: 4, repo: 'b' },
      ]),
    ])
    const serialCalls = await answered(sink, '/serial', 6)
    expect(serialCalls.map(nOf).sort()).toEqual([1, 2, 3, 4, 5, 6])
    expect(overlappingPairs(serialCalls)).toEqual([])
    // The other user's events did not wait behind the throttled AREA: all ran before its last.
    const freeCalls = await answered(sink, '/free', 6)
    const lastSerial = Math.max(...serialCalls.map((r) => r.receivedAt))
    expect(freeCalls.filter((r) => r.receivedAt > lastSerial)).toEqual([])

    const keyedCalls = await answered(sink, '/keyed', 4)
    const sameKey = overlappingPairs(keyedCalls).filter(([a, b]) => keyOf(a!) === keyOf(b!))
    expect(sameKey).toEqual([])
    // Each key's first event starts at once: a and b are in flight together.
    expect(overlappingPairs(keyedCalls).length).toBeGreaterThan(0)

    // The waits are counted on the workers' /metrics, by reason.
    const waits = await Promise.all(
      workers.map(async (w) => {
        const text = await (await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`)).text()
        return Number(/area_flow_waits_total\{reason="concurrency"\} (\d+)/.exec(text)?.[1] ?? 0)
      }),
    )
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  }, 180_000)

  it('rate_limit spaces the starts; a 429 with Retry-After holds the AREA’s further calls', async () => {
    await applyArea(user, flowArea('paced', sink, '/paced', { rate_limit: { events: 2, per: '2s' } }))
    const paced = await webhookOf(user, 'paced')
    await sendAll(
      paced,
      api,
      Array.from({ length: 6 }, (_, i) => ({ n: i + 1 })),
    )
    const starts = (await answered(sink, '/paced', 6)).map((r) => r.receivedAt).sort((a, b) => a - b)
    // At most 2 per 2 s: the third start is a window after the first (less the time between the
    // gate and the call, which varies a little from event to event).
    for (let i = 0; i + 2 < starts.length; i++) expect(starts[i + 2]! - starts[i]!).toBeGreaterThan(1_500)

    await applyArea(user, flowArea('held', sink, '/held', { rate_limit: { events: 100, per: '1s' } }))
    const held = await webhookOf(user, 'held')
    await sendAll(held, api, [{ n: 1 }])
    // The first call got the 429: once its attempt is handed back, the hold is set.
    await waitFor('the 429 handled', async () => {
      const [log] = await logsOf(user, 'held')
      return log && log.attempts >= 1 && log.status === 'queued' ? log : undefined
    })
    await sleep(300)
    await sendAll(held, api, [{ n: 2 }, { n: 3 }])
    const heldCalls = await answered(sink, '/held', 4)
    expect(first429At).toBeDefined()
    // Nothing of this AREA reached the target during the 4 s it asked for.
    const during = heldCalls.slice(1).filter((r) => r.receivedAt < first429At! + 3_500)
    expect(during).toEqual([])
    expect(heldCalls.slice(1).map(nOf).sort()).toEqual([1, 2, 3])
  }, 180_000)

  it('debounce runs once, with the last event of a burst; the others are skipped', async () => {
    await applyArea(user, flowArea('debounced', sink, '/debounced', { debounce: '2s' }))
    const target = await webhookOf(user, 'debounced')
    for (let n = 1; n <= 5; n++) await sendAll(target, api, [{ n }])
    const logs = await waitFor(
      'the burst ended',
      async () => {
        const items = await logsOf(user, 'debounced')
        return items.length === 5 && items.every((i) => i.status === 'done' || i.status === 'skipped')
          ? items
          : undefined
      },
      60_000,
    )
    expect(logs.filter((l) => l.status === 'done')).toHaveLength(1)
    const skipped = logs.filter((l) => l.status === 'skipped')
    expect(skipped).toHaveLength(4)
    for (const s of skipped) expect(s.error).toContain('debounced')
    expect(calls(sink, '/debounced').map(nOf)).toEqual([5])
  }, 120_000)
})

describe('flow control in the embedded single process (in-process queue)', () => {
  let topology: Topology
  let sink: HttpSink
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({ name: 'flow-embedded', embedded: true })
    sink = await startHttpSink()
    sink.respond = (request) => (request.path === '/serial' ? { status: 200, delayMs: 500 } : undefined)
  }, 120_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 120_000)

  it('holds concurrency 1 and debounces a burst', async () => {
    const [api] = await topology.start('all')
    const user = await signup(api.url, 'flow-embedded@example.test')
    await applyArea(user, flowArea('serial', sink, '/serial', { concurrency: 1 }))
    await applyArea(
      user,
      flowArea('debounced', sink, '/debounced', { debounce: { wait: '1s', key: 'trigger.repo' } }),
    )
    await sendAll(
      await webhookOf(user, 'serial'),
      api,
      Array.from({ length: 4 }, (_, i) => ({ n: i + 1 })),
    )
    const debounced = await webhookOf(user, 'debounced')
    for (const [n, repo] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'a'],
    ] as const)
      await sendAll(debounced, api, [{ n, repo }])

    const serialCalls = await answered(sink, '/serial', 4)
    expect(overlappingPairs(serialCalls)).toEqual([])
    await waitFor('both bursts ended', async () => {
      const items = await logsOf(user, 'debounced')
      return items.length === 3 && items.every((i) => i.status === 'done' || i.status === 'skipped')
        ? items
        : undefined
    })
    // One run per key, each with its key's last event.
    expect(calls(sink, '/debounced').map(nOf).sort()).toEqual([2, 3])
  }, 120_000)
})
