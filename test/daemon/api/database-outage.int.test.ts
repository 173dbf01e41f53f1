/**
 * The API while its Postgres is away (docs/architecture.md, "Riding out faults"): every request
 * that needs the database is answered 503 `database_unavailable` with Retry-After, never 500;
 * the outage costs one warn line and one recovery line however many requests it refuses; and
 * requests at the default info level write no line of their own. A private Postgres, stopped and
 * started by the test; the app in-process through inject, its pino output captured.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { loadDaemonConfig } from '../../../src/daemon/config.js'
import { type DaemonContext, openDaemonContext } from '../../../src/daemon/context.js'
import { createLogger } from '../../../src/daemon/logger.js'
import { signStandardWebhook } from '../../../src/services/webhook/standard-webhooks.js'
import { type PrivatePostgres, privatePostgres } from '../../support/db/private-postgres.js'
import { sinkArea, webhookAction } from '../../support/sink/sink-areas.js'

describe('the API during a Postgres outage', () => {
  let server: PrivatePostgres
  let ctx: DaemonContext
  let app: AreaApp
  let token: string
  let hook: { path: string; secret: string }
  const lines: Record<string, unknown>[] = []

  beforeAll(async () => {
    server = await privatePostgres()
    await server.start()
    const config = loadDaemonConfig(
      {
        DATABASE_URL: server.url,
        AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        AREA_PUBLIC_URL: 'http://area.test',
        LOG_LEVEL: 'info',
      },
      { roles: ['all'], port: 0 },
    )
    const logger = createLogger('info', {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>)
      },
    })
    ctx = await openDaemonContext(config, { logger })
    app = await buildApp(ctx)
    const signup = await app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: 'outage@example.test', password: 'correct horse battery' },
    })
    token = (signup.json() as { token: string }).token
    const area = sinkArea('outage', webhookAction, 'http://127.0.0.1:9', [{ path: '/never' }])
    const applied = await call('PUT', '/v1/areas/outage', area)
    expect(applied.statusCode, applied.body).toBeLessThan(300)
    const trigger = (
      (await call('GET', '/v1/areas/outage')).json() as {
        trigger: { webhookUrl: string; secret: string }
      }
    ).trigger
    hook = { path: new URL(trigger.webhookUrl).pathname, secret: trigger.secret }
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await ctx?.close()
    await server?.destroy()
  }, 60_000)

  const call = (method: 'GET' | 'PUT', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })

  function deliver(path = hook.path) {
    const id = `msg_${randomUUID()}`
    const timestamp = String(Math.floor(Date.now() / 1000))
    const body = JSON.stringify({ n: id })
    return app.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': signStandardWebhook(hook.secret, { id, timestamp, body }),
      },
      payload: body,
    })
  }

  it('answers 503 with Retry-After while Postgres is down, logs the outage once, and recovers', async () => {
    expect((await deliver()).statusCode).toBe(202)
    // A request at info level leaves no line of its own.
    expect(lines.filter((l) => l.msg === 'request completed')).toEqual([])
    lines.length = 0

    await server.stop('fast')
    const refused = []
    for (let i = 0; i < 20; i++) refused.push(await deliver())
    // A hook the API has not cached needs the database to be looked up.
    const uncached = await deliver(`/webhooks/webhook/${randomUUID()}`)
    const areas = await call('GET', '/v1/areas')
    for (const answer of [...refused, uncached, areas]) {
      expect(answer.statusCode, answer.body).toBe(503)
      expect(answer.headers['retry-after']).toMatch(/^\d+$/)
      expect(answer.json()).toMatchObject({ code: 'database_unavailable' })
      expect((answer.json() as { detail: string }).detail).toMatch(/database.*retry/)
    }

    await server.start()
    expect((await deliver()).statusCode).toBe(202)
    expect((await call('GET', '/v1/areas')).statusCode).toBe(200)

    const warnings = lines.filter((l) => (l.level as number) >= 40)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ level: 40, dependency: 'postgres' })
    expect(warnings[0]?.reason).toBeTypeOf('string')
    const recoveries = lines.filter((l) => String(l.msg).includes('is back after'))
    expect(recoveries).toHaveLength(1)
    expect(recoveries[0]).toMatchObject({ level: 30, dependency: 'postgres', failures: 22 })
    expect(recoveries[0]?.downSeconds).toBeTypeOf('number')
    expect(lines).toHaveLength(2)
  }, 120_000)
})
