/**
 * Every answer of the API says it comes from area (x-area-version): successes, problems, 404s,
 * refused tokens, and the log stream, whose raw answer keeps the headers hooks set. The CLI
 * refuses answers without it (test/commands/errors.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AREA_VERSION_HEADER } from '../../../src/contract/identity.js'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { areaVersion } from '../../../src/daemon/version.js'
import { type Caller, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'

describe('the identity header', () => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller

  beforeAll(async () => {
    t = await openTestDaemonContext('pglite')
    app = await buildApp(t.ctx)
    me = await signUp(app)
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('is on successes, problems, 404s and refusals alike', async () => {
    expect(areaVersion).toMatch(/^\d+\.\d+\.\d+/)
    const answers = await Promise.all([
      me.call('GET', '/v1/me'),
      me.call('GET', '/v1/areas/Not_A_Name'),
      me.call('PUT', '/v1/areas/x', { nonsense: true }),
      app.inject({ method: 'GET', url: '/v1/areas' }),
      app.inject({ method: 'GET', url: '/nowhere' }),
      app.inject({ method: 'GET', url: '/healthz' }),
    ])
    expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 400, 401, 404, 200])
    for (const answer of answers) expect(answer.headers[AREA_VERSION_HEADER]).toBe(areaVersion)
  })

  it('is on the log stream, with the request id, though it writes its answer itself', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as { port: number }
    const controller = new AbortController()
    const response = await fetch(`http://127.0.0.1:${port}/v1/logs/stream`, {
      headers: { authorization: `Bearer ${me.token}`, 'x-request-id': 'stream-1' },
      signal: controller.signal,
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get(AREA_VERSION_HEADER)).toBe(areaVersion)
    expect(response.headers.get('x-request-id')).toBe('stream-1')
    controller.abort()
  })
})
