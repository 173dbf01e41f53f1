/**
 * Accounts and tokens through the HTTP API, on both drivers: signup, login, logout, me, tokens,
 * and every way a token or a credential can be refused.
 */
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { callerFor, expectProblem, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

describe.each(drivers)('accounts API (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  const db = () => t.ctx.store.db

  beforeAll(async () => {
    t = await openTestDaemonContext(driver)
    app = await buildApp(t.ctx)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  const post = (url: string, payload: object, token?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    })
  const get = (url: string, token?: string) =>
    app.inject({ method: 'GET', url, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) })

  it('signs up: the user, an argon2id hash, a token stored as its SHA-256 only, audit rows', async () => {
    const response = await post('/v1/auth/signup', {
      email: 'Ada@Example.test',
      password: 'analytical engine',
      displayName: 'Ada',
      tokenName: 'laptop',
    })
    expect(response.statusCode).toBe(201)
    const body = response.json()
    expect(body.user).toMatchObject({ email: 'Ada@Example.test', displayName: 'Ada' })
    expect(body.tokenName).toBe('laptop')
    expect(body.token).toMatch(/^area_[A-Za-z0-9_-]{43}$/)

    const user = await db()
      .selectFrom('users')
      .selectAll()
      .where('id', '=', body.user.id)
      .executeTakeFirstOrThrow()
    expect(user.password_hash).toMatch(/^\$argon2id\$/)
    expect(user.password_hash).not.toContain('analytical engine')
    const tokens = await db()
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', body.user.id)
      .execute()
    expect(tokens).toHaveLength(1)
    expect(tokens[0]!.token_hash).toBe(createHash('sha256').update(body.token).digest('hex'))
    expect(JSON.stringify(tokens)).not.toContain(body.token)

    const audit = await db()
      .selectFrom('audit_logs')
      .select(['action_type', 'target_resource'])
      .where('user_id', '=', body.user.id)
      .orderBy('action_type')
      .execute()
    expect(audit).toEqual([
      { action_type: 'token.created', target_resource: 'token/laptop' },
      { action_type: 'user.signup', target_resource: `user/${body.user.id}` },
    ])

    const me = await get('/v1/me', body.token)
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({
      user: { id: body.user.id },
      currentToken: { name: 'laptop', current: true },
    })
  })

  it('refuses a second account for the same e-mail in any case (409), and bad input (400 with paths)', async () => {
    const taken = await post('/v1/auth/signup', { email: 'ada@EXAMPLE.test', password: 'whatever123' })
    expectProblem(taken, 409, 'email_taken')
    const bad = expectProblem(
      await post('/v1/auth/signup', { email: 'not-an-email', password: 'short' }),
      400,
      'validation_failed',
    )
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(['/email', '/password'])
    const count = await db()
      .selectFrom('users')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow()
    expect(count.n).toBe(1)
  })

  it('logs in with any case of the e-mail; a wrong password and an unknown e-mail get the same 401', async () => {
    const ok = await post('/v1/auth/login', {
      email: 'ADA@example.TEST',
      password: 'analytical engine',
      tokenName: 'ci',
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ tokenName: 'ci', user: { email: 'Ada@Example.test' } })
    expect((await get('/v1/me', ok.json().token)).statusCode).toBe(200)

    const wrong = expectProblem(
      await post('/v1/auth/login', { email: 'ada@example.test', password: 'difference engine' }),
      401,
      'invalid_credentials',
    )
    const unknown = expectProblem(
      await post('/v1/auth/login', { email: 'nobody@example.test', password: 'difference engine' }),
      401,
      'invalid_credentials',
    )
    expect(unknown).toEqual(wrong)

    // The name of a live token is taken.
    expectProblem(
      await post('/v1/auth/login', {
        email: 'ada@example.test',
        password: 'analytical engine',
        tokenName: 'ci',
      }),
      409,
      'token_exists',
    )
    const logins = await db()
      .selectFrom('audit_logs')
      .select('id')
      .where('action_type', '=', 'user.login')
      .execute()
    expect(logins).toHaveLength(1)
  })

  it('answers 401 with what to do for a missing, malformed or unknown token', async () => {
    for (const headers of [
      {},
      { authorization: 'Basic abc' },
      { authorization: 'Bearer area_unknown' },
      { authorization: 'Bearer nope' },
    ]) {
      const response = await app.inject({ method: 'GET', url: '/v1/areas', headers })
      const body = expectProblem(response, 401, 'unauthenticated')
      expect(body.detail).toContain('area login')
      expect(body.detail).toContain('AREA_TOKEN')
    }
  })

  it('logs out: the calling token is revoked and refused afterwards', async () => {
    const caller = await signUp(app)
    const logout = await caller.call('POST', '/v1/auth/logout')
    expect(logout.statusCode).toBe(204)
    expectProblem(await caller.call('GET', '/v1/me'), 401, 'unauthenticated')
    const row = await db()
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('user_id', '=', caller.userId)
      .executeTakeFirstOrThrow()
    expect(row.revoked_at).toBeInstanceOf(Date)
  })

  it('creates, lists and revokes tokens: shown once, never listed, a revoked name can be reused', async () => {
    const caller = await signUp(app)
    const created = await caller.call('POST', '/v1/tokens', { name: 'deploy', expiresInDays: 30 })
    expect(created.statusCode).toBe(201)
    const { token, expiresAt } = created.json()
    expect(token).toMatch(/^area_/)
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000)
    expectProblem(await caller.call('POST', '/v1/tokens', { name: 'deploy' }), 409, 'token_exists')

    const list = await caller.call('GET', '/v1/tokens')
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(token)
    expect(list.body).not.toContain(createHash('sha256').update(token).digest('hex'))
    const names = list.json().items.map((i: { name: string; current: boolean }) => [i.name, i.current])
    expect(names).toContainEqual(['deploy', false])
    expect(names.filter(([, current]: [string, boolean]) => current)).toHaveLength(1)

    const deployer = callerFor(app, token, { id: caller.userId, email: caller.email })
    expect((await deployer.call('GET', '/v1/me')).statusCode).toBe(200)
    expect((await caller.call('DELETE', '/v1/tokens/deploy')).statusCode).toBe(204)
    expectProblem(await deployer.call('GET', '/v1/me'), 401, 'unauthenticated')
    expectProblem(await caller.call('DELETE', '/v1/tokens/deploy'), 404, 'token_not_found')
    expect((await caller.call('POST', '/v1/tokens', { name: 'deploy' })).statusCode).toBe(201)

    const audit = await db()
      .selectFrom('audit_logs')
      .select(['action_type'])
      .where('user_id', '=', caller.userId)
      .where('target_resource', '=', 'token/deploy')
      .orderBy('created_at')
      .execute()
    expect(audit.map((a) => a.action_type)).toEqual(['token.created', 'token.revoked', 'token.created'])
  })

  it('refuses an expired token, and frees its name', async () => {
    const caller = await signUp(app)
    const { token } = (await caller.call('POST', '/v1/tokens', { name: 'short', expiresInDays: 1 })).json()
    const short = callerFor(app, token, { id: caller.userId, email: caller.email })
    expect((await short.call('GET', '/v1/me')).statusCode).toBe(200)
    await db()
      .updateTable('api_tokens')
      .set({ expires_at: sql`now() - interval '1 minute'` })
      .where('user_id', '=', caller.userId)
      .where('name', '=', 'short')
      .execute()
    expectProblem(await short.call('GET', '/v1/me'), 401, 'unauthenticated')
    const listed = (await caller.call('GET', '/v1/tokens')).json().items
    expect(listed.find((i: { name: string }) => i.name === 'short')).toMatchObject({ expired: true })
    expect((await caller.call('POST', '/v1/tokens', { name: 'short' })).statusCode).toBe(201)
  })

  it('records when a token is used, at most once per interval', async () => {
    const caller = await signUp(app)
    const lastUsed = async () =>
      (
        await db()
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('user_id', '=', caller.userId)
          .executeTakeFirstOrThrow()
      ).last_used_at
    await db()
      .updateTable('api_tokens')
      .set({ last_used_at: null })
      .where('user_id', '=', caller.userId)
      .execute()
    await caller.call('GET', '/v1/me')
    const first = await lastUsed()
    expect(first).toBeInstanceOf(Date)
    await caller.call('GET', '/v1/me')
    expect(await lastUsed()).toEqual(first)
    // An old mark is refreshed.
    await db()
      .updateTable('api_tokens')
      .set({ last_used_at: sql`now() - interval '1 hour'` })
      .where('user_id', '=', caller.userId)
      .execute()
    await caller.call('GET', '/v1/me')
    expect((await lastUsed())!.getTime()).toBeGreaterThan(first!.getTime() - 1000)
  })

  it('closes signup once a user exists when AREA_SIGNUP=closed', async () => {
    t.ctx.config.signup = 'closed'
    try {
      const closed = await post('/v1/auth/signup', {
        email: 'late@example.test',
        password: 'too late for this',
      })
      expectProblem(closed, 403, 'signup_closed')
      expect(
        await db().selectFrom('users').select('id').where('email', '=', 'late@example.test').execute(),
      ).toEqual([])
      // Existing users still log in.
      expect(
        (await post('/v1/auth/login', { email: 'ada@example.test', password: 'analytical engine' }))
          .statusCode,
      ).toBe(200)
    } finally {
      t.ctx.config.signup = 'open'
    }
  })
})
