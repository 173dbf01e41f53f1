/**
 * area behind a connection pooler, as on Supabase: a real PgBouncer (1.18, which keeps no
 * prepared statements across server connections) in transaction mode with a server pool smaller
 * than the processes' pools put together, and in session mode with pools that fit. Every process
 * starts at once on an empty database.
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
import { type PgBouncer, type PoolMode, startPgBouncer } from '../support/db/pgbouncer.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { sinkArea, webhookAction } from '../support/sink/sink-areas.js'

/**
 * Transaction mode: 4 server connections for five processes of up to 10 each. Session mode holds
 * a server connection per client connection, so the pools must fit: 5 × 2 under 12.
 */
const setups: { mode: PoolMode; bouncerPool: number; env: Record<string, string> }[] = [
  { mode: 'transaction', bouncerPool: 4, env: { AREA_DATABASE_POOL_MODE: 'transaction' } },
  {
    mode: 'session',
    bouncerPool: 12,
    env: { AREA_DATABASE_POOL_MODE: 'session', AREA_DATABASE_POOL_SIZE: '2' },
  },
]

describe.each(setups)('behind PgBouncer in $mode mode', ({ mode, bouncerPool, env }) => {
  let bouncer: PgBouncer
  let topology: Topology
  let sink: HttpSink
  let api: DaemonProcess
  let user: ApiUser
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    bouncer = await startPgBouncer({ mode, poolSize: bouncerPool })
    sink = await startHttpSink()
    topology = await openTopology({
      name: `pooler_${mode}`,
      env,
      databaseEnv: (direct) => ({ DATABASE_URL: bouncer.url(direct), DATABASE_DIRECT_URL: direct }),
    })
    ;[api] = await topology.start('api', 'worker', 'worker', 'scheduler', 'scheduler')
    user = await signup(api.url, `pooler-${mode}@example.test`)
    await applyArea(
      user,
      sinkArea('hook', webhookAction, sink.url, [{ path: '/hook', body: '{{ trigger.n }}' }]) as never,
    )
  }, 180_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
    await bouncer?.stop()
  }, 120_000)

  it('takes webhooks and manual runs to their reaction, each once', async () => {
    const target = await webhookOf(user, 'hook')
    const webhooks = await Promise.all(
      Array.from({ length: 40 }, (_, n) => sendWebhook(target, { n }, { baseUrl: api.url })),
    )
    expect(webhooks.map((answer) => answer.status)).toEqual(Array(40).fill(202))
    const runs = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(api.url, 'POST', '/v1/areas/hook/run', { token: user.token, body: { event: { n: 100 + i } } }),
      ),
    )
    expect(runs.map((answer) => answer.status)).toEqual(Array(60).fill(202))
    const expected = [
      ...Array.from({ length: 40 }, (_, n) => n),
      ...Array.from({ length: 60 }, (_, i) => 100 + i),
    ]
    const got = await waitFor('a hundred reactions', async () => {
      const hooks = sink.requests.filter((r) => r.path === '/hook')
      return hooks.length >= expected.length ? hooks : undefined
    })
    expect(got.map((r) => Number(r.body)).sort((a, b) => a - b)).toEqual(expected)
  }, 120_000)

  it('says at start how it reaches the database', () => {
    expect(topology.logs()).toContain(`"poolMode":"${mode}"`)
    expect(topology.logs()).toContain('"migrations":"DATABASE_DIRECT_URL"')
  })
})
