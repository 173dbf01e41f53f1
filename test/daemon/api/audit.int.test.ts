/**
 * GET /v1/audit on both drivers: each row says which token, from which address and User-Agent;
 * a user only ever reads their own rows; filters, paging and bad input answer 4xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { type Caller, expectProblem, hookArea, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

interface Entry {
  action: string
  target: string | null
  token: string | null
  address: string | null
  userAgent: string | null
  at: string
}
interface AuditPage {
  items: Entry[]
  nextCursor: string | null
}

describe.each(drivers)('audit API (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let alice: Caller
  let bob: Caller

  beforeAll(async () => {
    t = await openTestDaemonContext(driver)
    app = await buildApp(t.ctx)
    alice = await signUp(app)
    bob = await signUp(app)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  const read = async (caller: Caller, query = '') => {
    const response = await caller.call('GET', `/v1/audit${query}`)
    expect(response.statusCode, response.body).toBe(200)
    return response.json() as AuditPage
  }

  it("records the token, the address and the User-Agent of each change, and shows only the caller's rows", async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: { authorization: `Bearer ${alice.token}`, 'user-agent': 'area-cli/9.9 (audit test)' },
      payload: { name: 'ci' },
    })
    expect(created.statusCode, created.body).toBe(201)
    expect((await alice.call('PUT', '/v1/areas/notes', hookArea('notes'))).statusCode).toBe(201)
    expect(
      (await bob.call('PUT', '/v1/areas/bobs-secret-area', hookArea('bobs-secret-area'))).statusCode,
    ).toBe(201)

    const page = await read(alice)
    expect(page.items.map((e) => `${e.action} ${e.target}`)).toEqual([
      'area.created area/notes',
      'token.created token/ci',
      expect.stringMatching(/^token\.created token\//),
      `user.signup user/${alice.userId}`,
    ])
    const tokenRow = page.items[1]
    expect(tokenRow).toMatchObject({ userAgent: 'area-cli/9.9 (audit test)', address: '127.0.0.1' })
    // The token used: the one signup gave alice (its name as stored), not the new one.
    expect(tokenRow?.token).toEqual(expect.any(String))
    expect(tokenRow?.token).not.toBe('ci')
    expect(page.items.at(-1)).toMatchObject({ token: null, address: '127.0.0.1' })
    expect(JSON.stringify(page)).not.toContain('bobs-secret-area')
    expect(JSON.stringify(await read(bob))).not.toContain('token/ci')
  })

  it('filters by action or resource and pages newest first without gaps', async () => {
    expect((await read(alice, '?action=area')).items.map((e) => e.action)).toEqual(['area.created'])
    expect((await read(alice, '?action=token.created')).items).toHaveLength(2)
    expect((await read(alice, '?since=2099-01-01T00:00:00Z')).items).toEqual([])
    const all = (await read(alice)).items
    const first = await read(alice, '?limit=3')
    expect(first.items).toEqual(all.slice(0, 3))
    const second = await read(alice, `?limit=3&cursor=${first.nextCursor}`)
    expect(second).toEqual({ items: all.slice(3), nextCursor: null })
  })

  it('answers 400 for a bad since, action or cursor, and 401 without a token', async () => {
    expectProblem(await alice.call('GET', '/v1/audit?since=yesterday-ish'), 400, 'validation_failed')
    expectProblem(await alice.call('GET', '/v1/audit?action=DROP%20TABLE'), 400, 'validation_failed')
    expectProblem(await alice.call('GET', '/v1/audit?cursor=bm9wZQ'), 400, 'validation_failed')
    expectProblem(await app.inject({ method: 'GET', url: '/v1/audit' }), 401, 'unauthenticated')
  })
})
