/**
 * With SUPABASE_URL and SUPABASE_ANON_KEY set (docs/architecture.md, "Accounts and tokens"), the
 * API accepts Supabase Auth access tokens, verified by (a local fake of) Supabase Auth through
 * supabase-js and mapped to a local user: an existing link, else the user with the same confirmed
 * e-mail, else a new user unless signup is closed. API tokens keep working, users stay isolated,
 * and without the settings a JWT is refused as any unknown bearer. Both drivers, a database of
 * their own each.
 */
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { SupabaseAuthenticator } from '../../../src/features/accounts/supabase-auth.js'
import { jwtClaims } from '../../../src/supabase/auth-client.js'
import { callerFor, expectProblem, hookArea, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'
import {
  type FakeSupabaseAuth,
  forgedToken,
  startFakeSupabaseAuth,
} from '../../support/fakes/supabase-auth.js'

let supabase: FakeSupabaseAuth

beforeAll(async () => {
  supabase = await startFakeSupabaseAuth()
})
afterAll(async () => {
  await supabase?.close()
})

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const userCalls = () => supabase.calls('GET /auth/v1/user').length

/** A logger keeping its JSON lines, to show what was (not) logged. */
function capturingLogger() {
  const lines: string[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) })
  return { logger, lines }
}
const jwtPattern = /eyJ[\w-]+\.[\w-]+\.[\w-]+/

describe.each(drivers)('Supabase access tokens on the API (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  const logs = capturingLogger()
  const db = () => t.ctx.store.db
  const me = (token: string) => app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })
  const userRow = (email: string) =>
    db()
      .selectFrom('users')
      .select(['id', 'email', 'password_hash', 'display_name', 'supabase_user_id'])
      .where('email', '=', email)
      .executeTakeFirst()

  beforeAll(async () => {
    t = await openTestDaemonContext(driver, {
      config: { supabase: { url: supabase.url, anonKey: supabase.anonKey } },
      logger: logs.logger,
    })
    app = await buildApp(t.ctx)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('creates a local user for a new Supabase user, and checks each token with Supabase once', async () => {
    const ada = supabase.addUser({ email: `ada-${driver}@example.test`, name: 'Ada Lovelace' })
    const token = supabase.accessTokenFor(ada)
    const before = userCalls()
    const first = await me(token)
    expect(first.statusCode, first.body).toBe(200)
    const body = first.json()
    expect(body.user).toMatchObject({ email: ada.email, displayName: 'Ada Lovelace' })
    expect(body.currentToken).toMatchObject({ name: 'supabase-session', current: true, expired: false })
    const exp = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).exp
    expect(body.currentToken.expiresAt).toBe(new Date(exp * 1000).toISOString())

    const row = await userRow(ada.email as string)
    expect(row).toMatchObject({ id: body.user.id, password_hash: null, supabase_user_id: ada.id })
    const audit = await db()
      .selectFrom('audit_logs')
      .select(['action_type', 'metadata'])
      .where('user_id', '=', body.user.id)
      .execute()
    expect(audit).toEqual([
      { action_type: 'user.signup', metadata: { via: 'supabase', supabaseUserId: ada.id } },
    ])

    // What supabase-js sent: the anon key as `apikey`, the user's token as bearer.
    const call = supabase.calls('GET /auth/v1/user').at(-1)
    expect(call?.headers.apikey).toBe(supabase.anonKey)
    expect(call?.headers.authorization).toBe(`Bearer ${token}`)
    // …and asked for GoTrue's current error format, which the fake then answers in.
    expect(call?.headers['x-supabase-api-version']).toBe('2024-01-01')

    // Cached: more requests with the same token, some concurrent, cost no more calls.
    const again = await Promise.all([me(token), me(token), me(token)])
    expect(again.map((r) => r.statusCode)).toEqual([200, 200, 200])
    expect(userCalls()).toBe(before + 1)
    // A new token of the same user is checked, and maps to the same user (no second account).
    const second = await me(supabase.accessTokenFor(ada))
    expect(second.json().user.id).toBe(body.user.id)
    expect(userCalls()).toBe(before + 2)
    // The user has no password: password login is refused like a wrong one.
    const login = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: ada.email, password: ada.password },
    })
    expectProblem(login, 401, 'invalid_credentials')
  })

  it('creates one user when several first requests of a new Supabase user race', async () => {
    const zoe = supabase.addUser({ email: `zoe-${driver}@example.test` })
    const answers = await Promise.all([1, 2, 3, 4].map(() => me(supabase.accessTokenFor(zoe))))
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200])
    expect(new Set(answers.map((r) => r.json().user.id)).size).toBe(1)
    const rows = await db().selectFrom('users').select('id').where('supabase_user_id', '=', zoe.id).execute()
    expect(rows).toHaveLength(1)
  })

  it('links the existing user with the same confirmed e-mail (any case), keeping the password', async () => {
    const grace = await signUp(app, `Grace-${driver}@Example.test`)
    const supabaseGrace = supabase.addUser({ email: `grace-${driver}@example.test` })
    const response = await me(supabase.accessTokenFor(supabaseGrace))
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().user).toMatchObject({ id: grace.userId, email: grace.email })
    expect(await userRow(grace.email)).toMatchObject({
      supabase_user_id: supabaseGrace.id,
      password_hash: expect.stringMatching(/^\$argon2id\$/),
    })
    const audit = await db()
      .selectFrom('audit_logs')
      .select(['action_type', 'metadata'])
      .where('user_id', '=', grace.userId)
      .where('action_type', '=', 'user.linked')
      .execute()
    expect(audit).toEqual([
      { action_type: 'user.linked', metadata: { provider: 'supabase', supabaseUserId: supabaseGrace.id } },
    ])
    // Both ways in reach the same account.
    expect((await grace.call('GET', '/v1/me')).json().user.id).toBe(grace.userId)
  })

  it('follows a confirmed e-mail change made in Supabase, unless another account has the address', async () => {
    const supabaseHedy = supabase.addUser({ email: `hedy-${driver}@example.test` })
    const first = await me(supabase.accessTokenFor(supabaseHedy))
    expect(first.statusCode, first.body).toBe(200)
    const userId = first.json().user.id

    // Changed and confirmed in Supabase: the next token's check copies it.
    supabaseHedy.email = `hedy.lamarr-${driver}@example.test`
    const changed = await me(supabase.accessTokenFor(supabaseHedy))
    expect(changed.json().user).toMatchObject({ id: userId, email: supabaseHedy.email })
    expect(await userRow(supabaseHedy.email)).toMatchObject({ id: userId, supabase_user_id: supabaseHedy.id })
    const audit = await db()
      .selectFrom('audit_logs')
      .select(['action_type', 'metadata'])
      .where('user_id', '=', userId)
      .where('action_type', '=', 'user.email_changed')
      .execute()
    expect(audit).toEqual([
      { action_type: 'user.email_changed', metadata: { via: 'supabase', supabaseUserId: supabaseHedy.id } },
    ])

    // Not confirmed yet, or another area account's address (any case): the account keeps its own.
    supabaseHedy.email = `hedy-unconfirmed-${driver}@example.test`
    supabaseHedy.emailConfirmed = false
    expect((await me(supabase.accessTokenFor(supabaseHedy))).json().user.email).toBe(
      `hedy.lamarr-${driver}@example.test`,
    )
    const other = await signUp(app, `taken-${driver}@example.test`)
    supabaseHedy.email = `TAKEN-${driver}@example.test`
    supabaseHedy.emailConfirmed = true
    const refused = await me(supabase.accessTokenFor(supabaseHedy))
    expect(refused.statusCode, refused.body).toBe(200)
    expect(refused.json().user).toMatchObject({ id: userId, email: `hedy.lamarr-${driver}@example.test` })
    expect(await userRow(other.email)).toMatchObject({ id: other.userId, supabase_user_id: null })
    expect(logs.lines.some((line) => line.includes('belongs to another area account'))).toBe(true)
  })

  it('refuses a user whose e-mail Supabase has not confirmed, or that is linked to another Supabase user', async () => {
    const unconfirmed = supabase.addUser({ email: `pending-${driver}@example.test`, emailConfirmed: false })
    const refused = expectProblem(await me(supabase.accessTokenFor(unconfirmed)), 403, 'account_not_linkable')
    expect(refused.detail).toContain('confirmed e-mail')
    expect(await userRow(unconfirmed.email as string)).toBeUndefined()

    // An account linked to a Supabase user that was deleted and created again with the address.
    const taken = supabase.addUser({ email: `twice-${driver}@example.test` })
    expect((await me(supabase.accessTokenFor(taken))).statusCode).toBe(200)
    const again = supabase.addUser({ email: `twice-${driver}@example.test` })
    const conflict = expectProblem(await me(supabase.accessTokenFor(again)), 403, 'account_not_linkable')
    expect(conflict.detail).toContain('linked to another Supabase user')
    expect(await userRow(`twice-${driver}@example.test`)).toMatchObject({ supabase_user_id: taken.id })
  })

  it('refuses bad, expired and signed-out tokens with 401, saying what to do', async () => {
    const eve = supabase.addUser({ email: `eve-${driver}@example.test` })
    const good = supabase.accessTokenFor(eve)
    const claims = JSON.parse(Buffer.from(good.split('.')[1] as string, 'base64url').toString())

    const forged = expectProblem(await me(forgedToken(claims)), 401, 'unauthenticated')
    expect(forged.detail).toContain('signature is invalid')
    expect(forged.detail).toContain('area login --supabase')

    // Expired by its claims: refused without asking Supabase.
    const before = userCalls()
    const expired = expectProblem(
      await me(supabase.accessTokenFor(eve, { expiresIn: -60 })),
      401,
      'unauthenticated',
    )
    expect(expired.detail).toContain('expired')
    expect(userCalls()).toBe(before)
    // A token whose claims were edited to look alive: Supabase says no.
    const stretched = forgedToken({ ...claims, exp: claims.exp + 86_400 })
    expectProblem(await me(stretched), 401, 'unauthenticated')

    const ended = supabase.accessTokenFor(eve)
    supabase.endSession(ended)
    expect(expectProblem(await me(ended), 401, 'unauthenticated').detail).toContain('signed out')

    // Garbage is not a JWT: the usual answer, and Supabase is not asked.
    const calls = userCalls()
    expectProblem(await me('not-a-jwt'), 401, 'unauthenticated')
    expectProblem(await me('a.b.c'), 401, 'unauthenticated')
    expect(userCalls()).toBe(calls)
    // Nothing of the refused users was created.
    expect(await userRow(eve.email as string)).toBeUndefined()
  })

  it('keeps users apart: a Supabase user sees and changes only their own AREAs', async () => {
    const alice = callerFor(
      app,
      supabase.accessTokenFor(supabase.addUser({ email: `alice-${driver}@example.test` })),
      {
        id: '',
        email: '',
      },
    )
    const bob = callerFor(
      app,
      supabase.accessTokenFor(supabase.addUser({ email: `bob-${driver}@example.test` })),
      {
        id: '',
        email: '',
      },
    )
    const carol = await signUp(app) // an API-token user beside them
    expect((await alice.call('PUT', '/v1/areas/alice-only', hookArea('alice-only'))).statusCode).toBe(201)
    expect((await carol.call('PUT', '/v1/areas/carol-only', hookArea('carol-only'))).statusCode).toBe(201)

    const listed = (caller: typeof alice) =>
      caller.call('GET', '/v1/areas').then((r) => (r.json().items as { name: string }[]).map((a) => a.name))
    expect(await listed(alice)).toEqual(['alice-only'])
    expect(await listed(bob)).toEqual([])
    expect(await listed(carol)).toEqual(['carol-only'])
    expectProblem(await bob.call('GET', '/v1/areas/alice-only'), 404, 'area_not_found')
    expectProblem(await bob.call('DELETE', '/v1/areas/alice-only'), 404, 'area_not_found')
    expectProblem(await alice.call('GET', '/v1/areas/carol-only'), 404, 'area_not_found')
    expect((await alice.call('GET', '/v1/areas/alice-only')).statusCode).toBe(200)
  })

  it('lets a Supabase user make API tokens for CI, which then work alone', async () => {
    const dora = supabase.addUser({ email: `dora-${driver}@example.test` })
    const session = callerFor(app, supabase.accessTokenFor(dora), { id: '', email: '' })
    const created = await session.call('POST', '/v1/tokens', { name: 'ci' })
    expect(created.statusCode, created.body).toBe(201)
    const token = created.json().token as string
    expect(token).toMatch(/^area_/)
    const listed = await session.call('GET', '/v1/tokens')
    expect(listed.json().items).toEqual([expect.objectContaining({ name: 'ci', current: false })])
    const viaToken = await me(token)
    expect(viaToken.json()).toMatchObject({
      user: { email: dora.email },
      currentToken: { name: 'ci', current: true },
    })
  })

  it('logout signs the Supabase session out, and the token stops working at once', async () => {
    const finn = supabase.addUser({ email: `finn-${driver}@example.test` })
    const token = supabase.accessTokenFor(finn)
    expect((await me(token)).statusCode).toBe(200) // now cached
    const out = await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) })
    expect(out.statusCode, out.body).toBe(204)
    expect(supabase.sessionEnded(token)).toBe(true)
    const logout = supabase.calls('POST /auth/v1/logout').at(-1)
    expect(logout?.query.get('scope')).toBe('local')
    expect(logout?.headers.apikey).toBe(supabase.anonKey)
    expectProblem(await me(token), 401, 'unauthenticated')
  })

  it('logged every request above, and no token', () => {
    expect(logs.lines.filter((l) => l.includes('request completed')).length).toBeGreaterThan(20)
    expect(logs.lines.filter((l) => jwtPattern.test(l))).toEqual([])
  })
})

describe('Supabase access tokens with AREA_SIGNUP=closed', () => {
  let t: TestDaemonContext
  let app: AreaApp

  beforeAll(async () => {
    t = await openTestDaemonContext('postgres', {
      config: { signup: 'closed', supabase: { url: supabase.url, anonKey: supabase.anonKey } },
    })
    app = await buildApp(t.ctx)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('creates no new user once one exists, says what to do, and still links an existing account', async () => {
    const admin = await signUp(app, 'admin@closed.test') // the first account is allowed, as for signup
    const stranger = supabase.addUser({ email: 'stranger@closed.test' })
    const refused = await app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: bearer(supabase.accessTokenFor(stranger)),
    })
    const problem = expectProblem(refused, 403, 'signup_closed')
    expect(problem.detail).toContain('AREA_SIGNUP=closed')
    expect(problem.detail).toContain('stranger@closed.test')
    expect(problem.detail).toContain('administrator')
    const users = await t.ctx.store.db.selectFrom('users').select('email').execute()
    expect(users).toEqual([{ email: 'admin@closed.test' }])

    const supabaseAdmin = supabase.addUser({ email: 'admin@closed.test' })
    const linked = await app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: bearer(supabase.accessTokenFor(supabaseAdmin)),
    })
    expect(linked.statusCode, linked.body).toBe(200)
    expect(linked.json().user.id).toBe(admin.userId)
  })
})

describe('Supabase settings absent or Supabase unreachable', () => {
  let plain: TestDaemonContext
  let plainApp: AreaApp
  let down: TestDaemonContext
  let downApp: AreaApp
  const downLogs = capturingLogger()

  beforeAll(async () => {
    plain = await openTestDaemonContext('postgres')
    plainApp = await buildApp(plain.ctx)
    // A port nothing listens on: the fake's, once closed.
    const gone = await startFakeSupabaseAuth()
    await gone.close()
    down = await openTestDaemonContext('pglite', {
      config: { supabase: { url: gone.url, anonKey: gone.anonKey } },
      logger: downLogs.logger,
    })
    downApp = await buildApp(down.ctx)
  })
  afterAll(async () => {
    await plainApp?.close()
    await plain?.close()
    await downApp?.close()
    await down?.close()
  })

  it('without SUPABASE_URL a valid Supabase token is refused like any unknown bearer, unasked', async () => {
    const user = supabase.addUser({ email: 'nobody@plain.test' })
    const before = supabase.requests.length
    const response = await plainApp.inject({
      method: 'GET',
      url: '/v1/me',
      headers: bearer(supabase.accessTokenFor(user)),
    })
    const problem = expectProblem(response, 401, 'unauthenticated')
    const missing = expectProblem(
      await plainApp.inject({ method: 'GET', url: '/v1/me' }),
      401,
      'unauthenticated',
    )
    expect(problem.detail).toBe(missing.detail)
    expect(supabase.requests.length).toBe(before)
    // API tokens work as before.
    const caller = await signUp(plainApp)
    expect((await caller.call('GET', '/v1/me')).statusCode).toBe(200)
  })

  it('answers 503 when Supabase Auth cannot be reached, and API tokens still work', async () => {
    const user = supabase.addUser({ email: 'someone@down.test' })
    const response = await downApp.inject({
      method: 'GET',
      url: '/v1/me',
      headers: bearer(supabase.accessTokenFor(user)),
    })
    const problem = expectProblem(response, 503, 'supabase_unavailable')
    expect(problem.detail).toContain('area tokens create')
    const warning = downLogs.lines
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'Supabase Auth cannot be reached')
    expect(warning).toMatchObject({ level: 40, reason: 'connection refused' })
    expect(downLogs.lines.filter((l) => jwtPattern.test(l))).toEqual([])
    const caller = await signUp(downApp)
    expect((await caller.call('GET', '/v1/me')).statusCode).toBe(200)
  })

  it('caches successful checks for a while, a bounded number of them, and never a refusal', async () => {
    const authenticator = new SupabaseAuthenticator(
      plain.ctx,
      { url: supabase.url, anonKey: supabase.anonKey },
      { cacheTtlMs: 300, cacheSize: 2 },
    )
    const user = supabase.addUser({ email: 'cached@plain.test' })
    const [a, b, c] = [1, 2, 3].map(() => supabase.accessTokenFor(user)) as [string, string, string]
    const check = (token: string) => authenticator.authenticate(token, jwtClaims(token) ?? {})
    const start = userCalls()
    const calls = () => userCalls() - start

    await Promise.all([check(a), check(a), check(a)]) // concurrent first requests share one check
    expect(calls()).toBe(1)
    await check(b)
    await check(c) // the cache holds two: `a`, the oldest, goes
    expect(calls()).toBe(3)
    await check(c)
    await check(a)
    expect(calls()).toBe(4)
    await new Promise((resolve) => setTimeout(resolve, 350))
    await check(a) // expired from the cache: asked again
    expect(calls()).toBe(5)

    const ended = supabase.accessTokenFor(user)
    supabase.endSession(ended)
    await expect(check(ended)).rejects.toMatchObject({ code: 'unauthenticated' })
    await expect(check(ended)).rejects.toMatchObject({ code: 'unauthenticated' })
    expect(calls()).toBe(7)
  })
})
