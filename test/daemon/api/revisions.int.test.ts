/**
 * AREA revisions through the API on both drivers: each changing apply is a revision, a rollback
 * is a new one, another user's AREA is a 404, and bad input is a 400 that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { type Caller, expectProblem, hookArea, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

interface Revision {
  revision: number
  current: boolean
  changes: string[]
  appliedBy: string | null
  spec: { spec: { reactions: Array<{ params: { text: string } }> } }
}

describe.each(drivers)('revisions API (%s)', (driver) => {
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

  const revisions = async () => {
    const response = await alice.call('GET', '/v1/areas/notes/revisions')
    expect(response.statusCode, response.body).toBe(200)
    return (response.json() as { items: Revision[] }).items
  }
  const textOf = (r: Revision | undefined) => r?.spec.spec.reactions[0]?.params.text

  it('keeps each changed apply, skips unchanged ones, and rolls back as a new revision', async () => {
    expect((await alice.call('PUT', '/v1/areas/notes', hookArea('notes', 'one'))).statusCode).toBe(201)
    expect((await alice.call('PUT', '/v1/areas/notes', hookArea('notes', 'two'))).statusCode).toBe(200)
    expect((await alice.call('PUT', '/v1/areas/notes', hookArea('notes', 'two'))).json().outcome).toBe(
      'unchanged',
    )
    const two = await revisions()
    expect(two.map((r) => [r.revision, r.current, textOf(r)])).toEqual([
      [2, true, 'two'],
      [1, false, 'one'],
    ])
    expect(two[0]).toMatchObject({ changes: ['reactions'], appliedBy: expect.any(String) })

    const rolled = await alice.call('POST', '/v1/areas/notes/rollback', {})
    expect(rolled.statusCode, rolled.body).toBe(200)
    expect(rolled.json()).toMatchObject({
      dryRun: false,
      revision: 1,
      results: [{ name: 'notes', outcome: 'updated' }],
    })
    const three = await revisions()
    expect(three.map((r) => [r.revision, textOf(r)])).toEqual([
      [3, 'one'],
      [2, 'two'],
      [1, 'one'],
    ])
    const details = (await alice.call('GET', '/v1/areas/notes')).json()
    expect(details.spec.spec.reactions[0].params.text).toBe('one')

    // Disabling changes the stored document too: a revision, which a rollback undoes.
    expect((await alice.call('POST', '/v1/areas/alerts-none/disable')).statusCode).toBe(404)
    expect((await alice.call('POST', '/v1/areas/notes/disable')).statusCode).toBe(200)
    expect((await revisions())[0]).toMatchObject({ revision: 4, current: true, changes: ['enabled'] })
    expect((await alice.call('POST', '/v1/areas/notes/rollback', {})).statusCode).toBe(200)
    expect((await alice.call('GET', '/v1/areas/notes')).json().spec.spec.enabled).toBe(true)
  })

  it("answers 404 for another user's AREA and a missing revision, 400 for a bad body; nothing changes", async () => {
    expectProblem(await bob.call('GET', '/v1/areas/notes/revisions'), 404, 'area_not_found')
    expectProblem(await bob.call('POST', '/v1/areas/notes/rollback', {}), 404, 'area_not_found')
    const missing = await alice.call('POST', '/v1/areas/notes/rollback', { to: 42 })
    expectProblem(missing, 404, 'not_found')
    expect(missing.json().detail).toContain('has no revision 42 (kept: 5, 4, 3, 2, 1)')
    expectProblem(await alice.call('POST', '/v1/areas/notes/rollback', { to: 0 }), 400, 'validation_failed')
    expectProblem(
      await alice.call('POST', '/v1/areas/notes/rollback', { to: 'one' }),
      400,
      'validation_failed',
    )
    expectProblem(
      await alice.call('POST', '/v1/areas/notes/rollback', { force: true }),
      400,
      'validation_failed',
    )
    expect((await revisions()).map((r) => r.revision)).toEqual([5, 4, 3, 2, 1])
  })

  it('keeps secrets sealed: a rollback keeps the secret the AREA holds, and refuses one it no longer holds', async () => {
    const hook = (url: string, content: string) => ({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'alerts' },
      spec: {
        action: { service: 'timer', action: 'every', params: { interval: '1h' } },
        reactions: [
          { id: 'post', service: 'discord', reaction: 'send_message', params: { webhook_url: url, content } },
        ],
      },
    })
    const first = 'http://127.0.0.1:9/api/webhooks/1/first-very-secret-token'
    const second = 'http://127.0.0.1:9/api/webhooks/2/second-very-secret-token'
    const put = async (document: object) => {
      const response = await alice.call('PUT', '/v1/areas/alerts', document)
      expect(response.statusCode, response.body).toBeLessThan(300)
    }
    await put(hook(first, 'one'))
    await put(hook(first, 'two'))
    const back = await alice.call('POST', '/v1/areas/alerts/rollback', { to: 1 })
    expect(back.statusCode, back.body).toBe(200)
    await put(hook(second, 'three'))
    const refused = await alice.call('POST', '/v1/areas/alerts/rollback', { to: 1 })
    expectProblem(refused, 400, 'validation_failed')
    expect(refused.json().detail).toContain('does not hold')
    const stored = await t.ctx.store.db.selectFrom('area_revisions').select('spec').execute()
    const text = JSON.stringify(stored)
    expect(text).toContain('<secret:')
    for (const secret of ['first-very-secret-token', 'second-very-secret-token'])
      expect(text).not.toContain(secret)
  })
})
