/**
 * Invariants 1, 2 and 7 (docs/architecture.md, "Invariants") with real processes: a worker
 * killed in the middle of a reaction, Redis stopped while webhooks arrive, and SIGTERM under
 * load. Each test runs its own topology of daemon processes on its own database; the Redis test
 * runs its own redis-server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyArea, sendWebhook, signup, waitFor, webhookOf } from '../support/api/client.js'
import { openTopology, printLogsOnFailure, shortLeases, type Topology } from '../support/daemon/topology.js'
import { privateRedis, sharedRedisUrl } from '../support/redis.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { sinkArea, webhookAction } from '../support/sink/sink-areas.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
}, 120_000)
// The topology of the test running, for the log report if it fails.
let topology: Topology | undefined
beforeEach(() => {
  topology = undefined
})
printLogsOnFailure(() => [topology])

/** A topology of the test's own with short leases, and the sink its reactions post to. */
async function setup(name: string, redisUrl = sharedRedisUrl) {
  const deployment = await openTopology({ name, redisUrl, env: shortLeases })
  topology = deployment
  const sink: HttpSink = await startHttpSink()
  cleanups.push(async () => {
    await deployment.close()
    await sink.close()
  })
  const start = async (role: string) => {
    const [process] = await deployment.start(role)
    return process
  }
  return { sink, start }
}

function hookArea(name: string, sinkUrl: string, reactions: { id: string; path: string }[]) {
  return sinkArea(
    name,
    webhookAction,
    sinkUrl,
    reactions.map((r) => ({ ...r, body: { n: '{{ trigger.n }}' } })),
  )
}

describe('reliability invariants with real processes', () => {
  it('finishes an event on another worker after kill -9, without repeating a reaction that succeeded', async () => {
    const { sink, start } = await setup('kill')
    const api = await start('api')
    await start('scheduler')
    const doomed = await start('worker')
    const user = await signup(api.url, 'kill@example.test')
    await applyArea(
      user,
      hookArea('two-steps', sink.url, [
        { id: 'first', path: '/first' },
        { id: 'second', path: '/second' },
      ]),
    )
    // The first call to /second hangs: the worker is killed while it waits.
    let held = false
    sink.respond = (request) => {
      if (request.path !== '/second' || held) return undefined
      held = true
      return { status: 200, delayMs: 120_000 }
    }
    const target = await webhookOf(user, 'two-steps')
    expect((await sendWebhook(target, { n: 1 }, { baseUrl: api.url })).status).toBe(202)
    await waitFor('the hanging reaction', async () => (held ? true : undefined))
    await doomed.kill()
    await start('worker')

    await waitFor(
      'the second reaction to succeed',
      async () => {
        const seconds = sink.requests.filter((r) => r.path === '/second')
        return seconds.length >= 2 ? seconds : undefined
      },
      90_000,
    )
    const firsts = sink.requests.filter((r) => r.path === '/first')
    const seconds = sink.requests.filter((r) => r.path === '/second')
    expect(firsts).toHaveLength(1)
    expect(seconds).toHaveLength(2)
    // The retry carries the same idempotency key, so a target that honours it sees one request.
    expect(seconds[0]?.headers['idempotency-key']).toBe(seconds[1]?.headers['idempotency-key'])
  }, 180_000)

  it('executes every webhook answered 2xx while Redis was down, once Redis is back', async () => {
    const redis = await privateRedis()
    await redis.start()
    cleanups.push(() => redis.stop())
    const { sink, start } = await setup('redis', redis.url)
    const api = await start('api')
    await start('scheduler')
    await start('worker')
    const user = await signup(api.url, 'redis@example.test')
    await applyArea(user, hookArea('survives-redis', sink.url, [{ id: 'post', path: '/post' }]))
    const target = await webhookOf(user, 'survives-redis')
    expect((await sendWebhook(target, { n: 0 }, { baseUrl: api.url })).status).toBe(202)
    await waitFor('the first event', async () => (sink.requests.length >= 1 ? true : undefined))

    await redis.stop()
    const accepted: number[] = []
    for (let n = 1; n <= 10; n++) {
      const answer = await sendWebhook(target, { n }, { baseUrl: api.url })
      if (answer.status === 202) accepted.push(n)
    }
    expect(accepted).toHaveLength(10)
    // A fresh server: whatever the old one held is gone, as after a flush.
    await redis.start()
    const delivered = await waitFor(
      'every accepted event',
      async () => {
        const ns = new Set(sink.requests.map((r) => (r.json as { n: number }).n))
        return accepted.every((n) => ns.has(n)) ? ns : undefined
      },
      120_000,
    )
    expect([...delivered].sort((a, b) => a - b)).toEqual([0, ...accepted])
    expect(sink.requests).toHaveLength(11)
  }, 240_000)

  it('loses and repeats nothing when a worker gets SIGTERM under load', async () => {
    const { sink, start } = await setup('sigterm')
    const api = await start('api')
    await start('scheduler')
    const first = await start('worker')
    await start('worker')
    const user = await signup(api.url, 'sigterm@example.test')
    await applyArea(user, hookArea('under-load', sink.url, [{ id: 'post', path: '/post' }]))
    // Slow answers keep jobs in flight when the signal arrives.
    sink.respond = () => ({ status: 200, delayMs: 50 })
    const target = await webhookOf(user, 'under-load')
    const total = 100
    const sending = (async () => {
      for (let n = 1; n <= total; n++) {
        const answer = await sendWebhook(target, { n }, { baseUrl: api.url })
        expect(answer.status).toBe(202)
      }
    })()
    await waitFor('some events in progress', async () => (sink.requests.length >= 10 ? true : undefined))
    expect(await first.stop()).toBe(0)
    await start('worker')
    await sending
    const delivered = await waitFor(
      'every event',
      async () => {
        const ns = new Set(sink.requests.map((r) => (r.json as { n: number }).n))
        return ns.size >= total ? ns : undefined
      },
      120_000,
    )
    expect(delivered.size).toBe(total)
    const keys = sink.requests.map((r) => String(r.headers['idempotency-key']))
    // Each event reached the target once: a job handed back at shutdown was not run twice.
    expect(new Set(keys).size).toBe(total)
    expect(sink.requests).toHaveLength(total)
  }, 240_000)
})
