/**
 * The ceiling on reaction timeouts at apply: a `timeout` above AREA_REACTION_TIMEOUT_SECONDS is
 * a 400 naming the field and the ceiling, for one document and for a batch, and nothing is
 * written; a templated timeout is left to the worker, which aborts at the ceiling anyway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { loadDaemonConfig } from '../../../src/daemon/config.js'
import { type Caller, expectProblem, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'

const requestArea = (name: string, timeout: string) => ({
  apiVersion: 'area/v1',
  kind: 'Area',
  metadata: { name },
  spec: {
    action: { service: 'test', action: 'hook' },
    reactions: [
      {
        id: 'call',
        service: 'http',
        reaction: 'request',
        params: { url: 'http://127.0.0.1:9/never', timeout },
      },
    ],
  },
})

describe('the reaction timeout ceiling at apply', () => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller

  beforeAll(async () => {
    const { tenancy } = loadDaemonConfig(
      { AREA_REACTION_TIMEOUT_SECONDS: '120', AREA_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') },
      { roles: ['all'], port: 0 },
    )
    t = await openTestDaemonContext('postgres', { config: { tenancy } })
    app = await buildApp(t.ctx)
    me = await signUp(app)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('refuses a timeout above the ceiling with a 400 naming the field, the ceiling and the setting', async () => {
    const answer = await me.call('PUT', '/v1/areas/tarpit', requestArea('tarpit', '1h'))
    expectProblem(answer, 400, 'validation_failed')
    const body = answer.json() as { detail: string; errors?: unknown; issues?: unknown }
    expect(JSON.stringify(body)).toContain('/spec/reactions/0/params/timeout')
    expect(JSON.stringify(body)).toContain(
      "1h is above this server's ceiling of 2m for a reaction (AREA_REACTION_TIMEOUT_SECONDS=120)",
    )
    expect((await me.call('GET', '/v1/areas/tarpit')).statusCode).toBe(404)
  })

  it('refuses it in a batch too, naming the document, and writes none of the batch', async () => {
    const answer = await me.call('POST', '/v1/areas/apply', {
      documents: [requestArea('fine', '30s'), requestArea('tarpit', '3m')],
    })
    expectProblem(answer, 400, 'validation_failed')
    expect(JSON.stringify(answer.json())).toContain('/documents/1/spec/reactions/0/params/timeout')
    expect((await me.call('GET', '/v1/areas/fine')).statusCode).toBe(404)
  })

  it('accepts the reaction default even above a low ceiling (the worker aborts at the ceiling)', async () => {
    const { tenancy } = loadDaemonConfig(
      { AREA_REACTION_TIMEOUT_SECONDS: '5', AREA_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') },
      { roles: ['all'], port: 0 },
    )
    const strict = { ...t.ctx, config: { ...t.ctx.config, tenancy } }
    const lowApp = await buildApp(strict)
    try {
      const other = await signUp(lowApp, 'strict@example.test')
      const document = requestArea('defaulted', '1s')
      delete (document.spec.reactions[0]!.params as { timeout?: string }).timeout
      expect((await other.call('PUT', '/v1/areas/defaulted', document)).statusCode).toBe(201)
      expect((await other.call('PUT', '/v1/areas/explicit', requestArea('explicit', '20s'))).statusCode).toBe(
        400,
      )
    } finally {
      await lowApp.close()
    }
  })

  it('accepts a timeout at the ceiling, and a templated one (the worker enforces the ceiling)', async () => {
    expect((await me.call('PUT', '/v1/areas/ok', requestArea('ok', '2m'))).statusCode).toBe(201)
    const templated = requestArea('templated', '{{ trigger.timeout }}')
    expect((await me.call('PUT', '/v1/areas/templated', templated)).statusCode).toBe(201)
  })
})
