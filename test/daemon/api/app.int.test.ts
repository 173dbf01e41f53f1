/**
 * The app's envelope on both drivers: problem+json answers for every kind of bad request, what
 * is (and is never) logged, request ids, probes, the OpenAPI document, and the server's
 * listen/close.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { startApiServer } from '../../../src/daemon/api/server.js'
import { type Caller, expectProblem, hookArea, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

describe.each(drivers)('API envelope (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller
  const lines: Record<string, unknown>[] = []
  const password = 'never-in-the-logs-9d1f'

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()))
        done()
      },
    })
    t = await openTestDaemonContext(driver, { logger: pino({ level: 'debug' }, sink) })
    app = await buildApp(t.ctx)
    app.get('/boom', async () => {
      throw new Error('connection to db.internal:5432 failed for user admin')
    })
    me = await signUp(app, undefined, password)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('answers problem+json: validation 400 with paths, 401, 404, 409', async () => {
    const invalid = expectProblem(
      await me.call('POST', '/v1/tokens', { name: '!!', extra: 1 }),
      400,
      'validation_failed',
    )
    expect(invalid.errors?.map((e) => e.path).sort()).toEqual(['/extra', '/name'])
    expect(invalid.title).toBe('The request is invalid')
    expectProblem(await app.inject({ method: 'GET', url: '/v1/areas' }), 401, 'unauthenticated')
    expectProblem(await me.call('GET', '/v1/areas/nothing-here'), 404, 'area_not_found')
    const route = expectProblem(await me.call('GET', '/v1/nowhere'), 404, 'not_found')
    expect(route.detail).toContain('GET /v1/nowhere')
    expectProblem(await me.call('GET', '/v1/services/nope'), 404, 'service_not_found')
    await me.call('PUT', '/v1/areas/one', hookArea('one'))
    expectProblem(await me.call('POST', '/v1/areas', hookArea('one')), 409, 'area_exists')
    expectProblem(await me.call('GET', '/v1/areas?limit=500'), 400, 'validation_failed')
  })

  it('answers malformed or empty JSON with 400 malformed_json, other content types with 415', async () => {
    const headers = { authorization: `Bearer ${me.token}`, 'content-type': 'application/json' }
    expectProblem(
      await app.inject({ method: 'PUT', url: '/v1/areas/one', headers, payload: '{"apiVersion": ' }),
      400,
      'malformed_json',
    )
    expectProblem(
      await app.inject({ method: 'POST', url: '/v1/areas/apply', headers, payload: '' }),
      400,
      'malformed_json',
    )
    const text = await app.inject({
      method: 'PUT',
      url: '/v1/areas/one',
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: 'hello',
    })
    expectProblem(text, 415, 'unsupported_media_type')
  })

  it('answers a body over the limit with 413', async () => {
    const big = { documents: [hookArea('big', 'x'.repeat(1024 * 1024))] }
    const response = await me.call('POST', '/v1/areas/apply', big)
    expectProblem(response, 413, 'payload_too_large')
    expect((await me.call('GET', '/v1/areas/big')).statusCode).toBe(404)
  })

  it('answers an unexpected error with 500 internal, without its message, and logs it', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/boom',
      headers: { 'x-request-id': 'trace-boom-1' },
    })
    const body = expectProblem(response, 500, 'internal')
    expect(response.body).not.toContain('db.internal')
    expect(body.detail).toContain('trace-boom-1')
    const logged = lines.find((l) => l.reqId === 'trace-boom-1' && l.level === 50)
    expect(JSON.stringify(logged)).toContain('db.internal')
  })

  it('keeps a sane X-Request-Id, makes one otherwise, and logs one line per request with it (at debug)', async () => {
    const kept = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } })
    expect(kept.headers['x-request-id']).toBe('abc-123')
    const replaced = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\n' },
    })
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    const me2 = await me.call('GET', '/v1/me')
    const id = me2.headers['x-request-id']
    const completed = lines.filter((l) => l.reqId === id)
    expect(completed).toEqual([
      expect.objectContaining({ msg: 'request completed', method: 'GET', url: '/v1/me', statusCode: 200 }),
    ])
  })

  it('never logs passwords, tokens or Authorization headers', async () => {
    await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: me.email, password } })
    await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: me.email, password: `${password}-wrong` },
    })
    await me.call('GET', '/v1/areas/one')
    const all = JSON.stringify(lines)
    expect(lines.length).toBeGreaterThan(5)
    expect(all).not.toContain(password)
    expect(all).not.toContain(me.token)
    expect(all.toLowerCase()).not.toContain('bearer')
  })

  it('probes: /healthz alive, /readyz checks database and queue, 503 naming what failed', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok' } })

    const queue = t.ctx.queue.jobs
    const counts = queue.counts
    queue.counts = async () => {
      throw new Error('Redis at redis://127.0.0.1:6379 is unreachable')
    }
    try {
      const down = await app.inject({ method: 'GET', url: '/readyz' })
      expect(down.statusCode).toBe(503)
      expect(down.json()).toEqual({ status: 'unavailable', checks: { database: 'ok', queue: 'failed' } })
    } finally {
      queue.counts = counts
    }

    const lifecycle = { draining: true }
    const draining = await buildApp(t.ctx, { lifecycle })
    const answer = await draining.inject({ method: 'GET', url: '/readyz' })
    expect(answer.statusCode).toBe(503)
    expect(answer.json().status).toBe('draining')
    await draining.close()
  })

  it('serves an OpenAPI document generated from every route schema', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    const doc = response.json()
    expect(doc.openapi).toBe('3.1.0')
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    )
    for (const route of [
      'POST /v1/auth/signup',
      'POST /v1/auth/login',
      'POST /v1/auth/logout',
      'GET /v1/me',
      'POST /v1/tokens',
      'GET /v1/tokens',
      'DELETE /v1/tokens/{name}',
      'GET /v1/services',
      'GET /v1/services/{service}',
      'GET /v1/areas',
      'POST /v1/areas',
      'POST /v1/areas/apply',
      'GET /v1/areas/{name}',
      'PUT /v1/areas/{name}',
      'DELETE /v1/areas/{name}',
      'POST /v1/areas/{name}/enable',
      'POST /v1/areas/{name}/disable',
      'POST /v1/areas/{name}/run',
      'GET /v1/logs',
      'GET /v1/logs/stream',
      'POST /v1/events/{id}/replay',
      'POST /v1/replays',
      'GET /v1/status',
      'GET /healthz',
      'GET /readyz',
    ]) {
      expect(routes).toContain(route)
    }
    const put = doc.paths['/v1/areas/{name}'].put
    expect(put.requestBody.content['application/json'].schema.properties.spec).toBeDefined()
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '201', '4XX']))
    expect(doc.paths['/v1/auth/signup'].post.security).toEqual([])
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.paths['/openapi.json']).toBeUndefined()
  })

  it('describes a service with what `area services describe` prints', async () => {
    const list = (await me.call('GET', '/v1/services')).json()
    expect(list.items.map((s: { id: string }) => s.id)).toEqual(t.ctx.registry.services.map((s) => s.id))
    const test = (await me.call('GET', '/v1/services/test')).json()
    const feed = test.actions.find((a: { id: string }) => a.id === 'feed')
    expect(feed).toMatchObject({
      triggers: ['polling'],
      requiresConnection: false,
      defaultPollingIntervalSeconds: 60,
      minPollingIntervalSeconds: 10,
      params: [{ name: 'min', type: 'integer', required: false, default: 0 }],
      paramsSchema: { type: 'object', properties: { min: { type: 'integer' } } },
      exampleEvent: null,
    })
    expect(test.actions.find((a: { id: string }) => a.id === 'hook').triggers).toEqual(['webhook'])
    const note = test.reactions.find((r: { id: string }) => r.id === 'note')
    expect(note.params).toEqual([
      { name: 'text', type: 'string', required: true, description: 'any text' },
      { name: 'count', type: 'integer', required: false, description: '' },
      { name: 'level', type: 'enum', required: false, description: '', default: 'info' },
    ])
    // Secret params say so; the others carry no flag.
    const discord = (await me.call('GET', '/v1/services/discord')).json()
    const send = discord.reactions.find((r: { id: string }) => r.id === 'send_message')
    expect(send.params.find((p: { name: string }) => p.name === 'webhook_url')).toMatchObject({
      secret: true,
    })
    expect(send.params.find((p: { name: string }) => p.name === 'content').secret).toBeUndefined()
    const http = (await me.call('GET', '/v1/services/http')).json()
    const request = http.reactions.find((r: { id: string }) => r.id === 'request')
    expect(
      request.params.filter((p: { secret?: boolean }) => p.secret).map((p: { name: string }) => p.name),
    ).toEqual(['headers'])
    const timer = (await me.call('GET', '/v1/services/timer')).json()
    expect(timer.actions.find((a: { id: string }) => a.id === 'every').exampleEvent).toEqual(
      t.ctx.registry.action('timer', 'every')!.exampleEvent,
    )
    // The declared shapes go through the route's response schema too.
    expect(timer.actions.find((a: { id: string }) => a.id === 'every').eventSchema).toMatchObject({
      properties: { interval_seconds: { type: 'integer' } },
      additionalProperties: false,
    })
    expect(http.reactions.find((r: { id: string }) => r.id === 'request').outputSchema).toMatchObject({
      properties: { status: { type: 'integer' } },
    })
  })

  it('listens, then closes gracefully: readiness fails first, open streams end, nothing is left listening', async () => {
    t.ctx.config.port = 0
    const server = await startApiServer(t.ctx, { drainDelayMs: 3_000 })
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    const stream = await fetch(`${server.url}/v1/logs/stream`, {
      headers: { authorization: `Bearer ${me.token}` },
    })
    const reader = stream.body!.getReader()
    await reader.read()

    const closing = server.close()
    const readiness = await fetch(`${server.url}/readyz`)
    expect(readiness.status).toBe(503)
    expect(((await readiness.json()) as { status: string }).status).toBe('draining')
    await closing
    let chunk = await reader.read()
    while (!chunk.done) chunk = await reader.read()
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
  })
})
