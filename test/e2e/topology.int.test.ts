/**
 * The daemon as the Helm chart runs it: an API, two workers and two schedulers, each its own
 * process, on one Postgres and one Redis. A webhook AREA and a polling AREA reach a local sink
 * with their templates rendered, and the logs say so.
 */
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
import { everyAction, sinkArea, webhookAction } from '../support/sink/sink-areas.js'

describe('API, two workers and two schedulers as processes', () => {
  let topology: Topology
  let sink: HttpSink
  let api: DaemonProcess
  let user: ApiUser
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({ name: 'topology' })
    sink = await startHttpSink()
    ;[api] = await topology.start('api', 'worker', 'worker', 'scheduler', 'scheduler')
    user = await signup(api.url, 'topology@example.test')
  }, 180_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 120_000)

  it('runs a webhook AREA and a polling AREA end to end', async () => {
    await applyArea(
      user,
      sinkArea('hook-to-sink', webhookAction, sink.url, [
        {
          path: '/hook',
          body: { text: 'got {{ trigger.message }}', n: '{{ trigger.n }}', area: '{{ area.name }}' },
        },
      ]) as never,
    )
    await applyArea(
      user,
      sinkArea('tick-to-sink', everyAction('1s'), sink.url, [
        { path: '/tick', body: 'tick at {{ trigger.scheduled_at }}' },
      ]) as never,
    )

    const target = await webhookOf(user, 'hook-to-sink')
    expect(target.webhookUrl).toMatch(/\/webhooks\/webhook\/[0-9a-f-]{36}$/)
    for (let n = 1; n <= 10; n++) {
      const answer = await sendWebhook(target, { message: `hello ${n}`, n }, { baseUrl: api.url })
      expect(answer.status).toBe(202)
    }

    const hooks = await waitFor('ten webhook reactions', async () => {
      const got = sink.requests.filter((r) => r.path === '/hook')
      return got.length >= 10 ? got : undefined
    })
    expect(hooks.map((r) => r.json).sort((a, b) => (a as { n: number }).n - (b as { n: number }).n)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ text: `got hello ${i + 1}`, n: i + 1, area: 'hook-to-sink' })),
    )
    const ticks = await waitFor('two timer reactions', async () => {
      const got = sink.requests.filter((r) => r.path === '/tick')
      return got.length >= 2 ? got : undefined
    })
    for (const tick of ticks) expect(tick.body).toMatch(/^tick at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

    const logs = await waitFor('logs showing success', async () => {
      const { body } = await call<{ items: { status: string; executions: { status: string }[] }[] }>(
        api.url,
        'GET',
        '/v1/logs?area=hook-to-sink',
        { token: user.token },
      )
      return body.items.length === 10 && body.items.every((i) => i.status === 'done') ? body.items : undefined
    })
    expect(logs.flatMap((l) => l.executions.map((e) => e.status))).toEqual(Array(10).fill('success'))
  }, 120_000)
})
