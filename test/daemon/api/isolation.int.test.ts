/**
 * A user never sees or changes another user's AREAs, logs or tokens (docs/architecture.md,
 * "Invariants"). User B tries every route on user A's AREAs and gets what a missing AREA gets; A's
 * rows stay as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { type Caller, expectProblem, hookArea, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

describe.each(drivers)('isolation between users (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let alice: Caller
  let bob: Caller
  const db = () => t.ctx.store.db

  /** Everything of Alice's that a route could change. */
  const aliceState = async () => ({
    areas: await db()
      .selectFrom('areas')
      .select(['name', 'revision', 'spec_hash', 'enabled', 'updated_at'])
      .where('user_id', '=', alice.userId)
      .orderBy('name')
      .execute(),
    hookJobs: await db()
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .innerJoin('areas as a', 'a.id', 'aa.area_id')
      .select(['h.id', 'h.status', 'h.webhook_secret_encrypted'])
      .where('a.user_id', '=', alice.userId)
      .orderBy('h.id')
      .execute(),
    events: await db()
      .selectFrom('hook_logs')
      .select(['id', 'status'])
      .where('user_id', '=', alice.userId)
      .orderBy('id')
      .execute(),
    tokens: await db()
      .selectFrom('api_tokens')
      .select(['id', 'revoked_at'])
      .where('user_id', '=', alice.userId)
      .orderBy('id')
      .execute(),
  })

  beforeAll(async () => {
    t = await openTestDaemonContext(driver)
    app = await buildApp(t.ctx)
    alice = await signUp(app)
    bob = await signUp(app)
    for (const name of ['shared', 'only-alice']) {
      expect((await alice.call('PUT', `/v1/areas/${name}`, hookArea(name))).statusCode).toBe(201)
    }
    expect((await alice.call('POST', '/v1/areas/only-alice/run', { event: { value: 1 } })).statusCode).toBe(
      202,
    )
    expect((await alice.call('POST', '/v1/tokens', { name: 'alice-ci' })).statusCode).toBe(201)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('answers another user’s AREA exactly like a missing one, on every route', async () => {
    const before = await aliceState()
    const routes: [method: 'GET' | 'POST' | 'DELETE', path: string, body?: object][] = [
      ['GET', '/v1/areas/:name'],
      ['DELETE', '/v1/areas/:name'],
      ['POST', '/v1/areas/:name/enable'],
      ['POST', '/v1/areas/:name/disable'],
      ['POST', '/v1/areas/:name/run', { event: { value: 2 } }],
      ['GET', '/v1/logs?area=:name'],
    ]
    for (const [method, path, body] of routes) {
      const theirs = await bob.call(method, path.replace(':name', 'only-alice'), body)
      const missing = await bob.call(method, path.replace(':name', 'never-was'), body)
      const problem = expectProblem(theirs, 404, 'area_not_found')
      const reference = expectProblem(missing, 404, 'area_not_found')
      expect(problem.detail.replace('only-alice', 'X')).toBe(reference.detail.replace('never-was', 'X'))
    }
    const stream = await bob.call('GET', '/v1/logs/stream?area=only-alice')
    expectProblem(stream, 404, 'area_not_found')
    expect(await aliceState()).toEqual(before)
  })

  it('lists nothing of another user: AREAs, logs, tokens', async () => {
    expect((await bob.call('GET', '/v1/areas')).json()).toEqual({ items: [], nextCursor: null })
    expect((await bob.call('GET', '/v1/logs')).json()).toEqual({ items: [], nextCursor: null })
    expect((await alice.call('GET', '/v1/logs')).json().items).toHaveLength(1)
    const tokens = (await bob.call('GET', '/v1/tokens')).json().items.map((i: { name: string }) => i.name)
    expect(tokens).not.toContain('alice-ci')
    expect(tokens).toHaveLength(1)
  })

  it('cannot revoke another user’s token by its name', async () => {
    const before = await aliceState()
    expectProblem(await bob.call('DELETE', '/v1/tokens/alice-ci'), 404, 'token_not_found')
    expect(await aliceState()).toEqual(before)
  })

  it('applying the same name creates the caller’s own AREA and leaves the other’s untouched', async () => {
    const before = await aliceState()
    const put = await bob.call('PUT', '/v1/areas/shared', hookArea('shared', 'bob text'))
    expect(put.statusCode).toBe(201)
    expect(put.json().outcome).toBe('created')
    const post = await bob.call('POST', '/v1/areas', hookArea('only-alice', 'bob too'))
    expect(post.statusCode).toBe(201)
    expect(await aliceState()).toEqual(before)

    const aliceShared = (await alice.call('GET', '/v1/areas/shared')).json()
    const bobShared = (await bob.call('GET', '/v1/areas/shared')).json()
    expect(aliceShared.spec.spec.reactions[0].params.text).toBe('got {{ trigger.value }}')
    expect(bobShared.spec.spec.reactions[0].params.text).toBe('bob text')
    expect(bobShared.trigger.webhookUrl).not.toBe(aliceShared.trigger.webhookUrl)
    expect(bobShared.trigger.secret).not.toBe(aliceShared.trigger.secret)
  })

  it('prunes and plans only within the caller’s own AREAs', async () => {
    const before = await aliceState()
    const plan = await bob.call('POST', '/v1/areas/apply', {
      documents: [hookArea('bob-only')],
      prune: true,
      dryRun: true,
    })
    expect(plan.json().pruned.sort()).toEqual(['only-alice', 'shared'])
    const applied = await bob.call('POST', '/v1/areas/apply', {
      documents: [hookArea('bob-only')],
      prune: true,
    })
    expect(applied.statusCode).toBe(200)
    expect((await bob.call('GET', '/v1/areas')).json().items.map((i: { name: string }) => i.name)).toEqual([
      'bob-only',
    ])
    expect(await aliceState()).toEqual(before)
    expect((await alice.call('GET', '/v1/areas')).json().items.map((i: { name: string }) => i.name)).toEqual([
      'only-alice',
      'shared',
    ])
  })

  it('runs and logs only the caller’s own AREA of a shared name', async () => {
    await bob.call('PUT', '/v1/areas/shared', hookArea('shared', 'bob text'))
    const run = await bob.call('POST', '/v1/areas/shared/run', { event: { value: 3 } })
    expect(run.statusCode).toBe(202)
    const row = await db()
      .selectFrom('hook_logs')
      .select('user_id')
      .where('id', '=', run.json().hookLogId)
      .executeTakeFirstOrThrow()
    expect(row.user_id).toBe(bob.userId)
    const aliceLogs = (await alice.call('GET', '/v1/logs?area=shared')).json().items
    expect(aliceLogs).toEqual([])
    const bobLogs = (await bob.call('GET', '/v1/logs')).json().items.map((i: { id: string }) => i.id)
    expect(bobLogs).toEqual([run.json().hookLogId])
  })
})
