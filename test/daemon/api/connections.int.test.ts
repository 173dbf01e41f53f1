/**
 * Connection routes on both drivers: add (per-kind credential checks, default name, 409 on a
 * duplicate), list (never credentials), remove (409 naming the AREAs that use it), OAuth 2
 * authorize + callback against the local provider (PKCE, one-time sealed state, tokens stored
 * encrypted, reconnect), an http oauth2_code connection authorized with its own app and refreshed
 * with it, the 400 of a server without OAuth settings, and isolation between users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { createEngine } from '../../../src/engine/run.js'
import { createConnectionRefresher } from '../../../src/features/connections/oauth/refresh.js'
import { request } from '../../../src/services/http/reactions/request.js'
import { openCredentialsForRun } from '../../../src/store/connection-credentials.js'
import { type Caller, expectProblem, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'
import { type FakeOAuthProvider, startFakeOAuthProvider } from '../../support/fakes/oauth-provider.js'
import {
  confirmForm,
  connectInBrowser,
  githubOAuthEnv,
  injectBrowser,
  pathOf,
  useServiceEnv,
} from '../../support/oauth-env.js'
import { reactionContext } from '../../support/services/handler-context.js'
import { startHttpSink } from '../../support/sink/http-sink.js'

const PERSONAL_TOKEN = 'ghp_personalTokenValue1234567890'

describe.each(drivers)('connections API (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller
  const browser = () => injectBrowser(app)
  const appInstance = () => app
  let provider: FakeOAuthProvider
  const db = () => t.ctx.store.db
  const storedRow = (name: string, userId = me.userId) =>
    db()
      .selectFrom('user_services')
      .selectAll()
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .executeTakeFirst()

  beforeAll(async () => {
    provider = await startFakeOAuthProvider()
    t = await openTestDaemonContext(driver)
    useServiceEnv(t.ctx, githubOAuthEnv(provider))
    app = await buildApp(t.ctx)
    me = await signUp(app)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
    await provider?.close()
  })

  it('adds a token connection named after the service, lists it without credentials, stores ciphertext', async () => {
    const created = await me.call('POST', '/v1/connections', {
      service: 'github',
      kind: 'token',
      credentials: { token: PERSONAL_TOKEN },
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json()).toMatchObject({
      name: 'github',
      service: 'github',
      kind: 'token',
      status: 'active',
    })
    expect(created.body).not.toContain(PERSONAL_TOKEN)

    const list = await me.call('GET', '/v1/connections')
    expect(list.statusCode).toBe(200)
    expect(list.json().items).toEqual([
      {
        name: 'github',
        service: 'github',
        kind: 'token',
        status: 'active',
        statusDetail: null,
        tokenExpiresAt: null,
        createdAt: expect.any(String),
      },
    ])
    expect(list.body).not.toContain(PERSONAL_TOKEN)

    const row = await storedRow('github')
    expect(row?.credentials_encrypted).toMatch(/^v1\./)
    expect(row?.credentials_encrypted).not.toContain(PERSONAL_TOKEN)
    expect(JSON.parse(t.ctx.secrets.open(row?.credentials_encrypted ?? ''))).toEqual({
      token: PERSONAL_TOKEN,
    })
  })

  it('answers 409 for a duplicate name and keeps the first connection', async () => {
    const again = await me.call('POST', '/v1/connections', {
      service: 'github',
      kind: 'token',
      credentials: { token: 'ghp_other' },
    })
    const problem = expectProblem(again, 409, 'connection_exists')
    expect(problem.detail).toContain('"github"')
    const row = await storedRow('github')
    expect(JSON.parse(t.ctx.secrets.open(row?.credentials_encrypted ?? ''))).toEqual({
      token: PERSONAL_TOKEN,
    })
  })

  it('checks credentials per kind and service', async () => {
    const noToken = await me.call('POST', '/v1/connections', {
      service: 'github',
      name: 'gh-empty',
      kind: 'token',
      credentials: { token: '  ' },
    })
    expect(expectProblem(noToken, 400, 'validation_failed').errors).toEqual([
      { path: '/credentials/token', message: expect.stringContaining('non-empty') },
    ])

    const wrongKind = await me.call('POST', '/v1/connections', {
      service: 'github',
      name: 'gh-smtp',
      kind: 'smtp',
      credentials: { host: 'smtp.example.test' },
    })
    expect(expectProblem(wrongKind, 400, 'validation_failed').errors?.[0]).toMatchObject({ path: '/kind' })

    const noHost = await me.call('POST', '/v1/connections', {
      service: 'email',
      kind: 'smtp',
      credentials: { port: 25 },
    })
    expect(expectProblem(noHost, 400, 'validation_failed').errors?.[0]?.message).toContain('host')

    const needsNone = await me.call('POST', '/v1/connections', {
      service: 'rss',
      kind: 'token',
      credentials: { token: 'x' },
    })
    expect(expectProblem(needsNone, 400, 'bad_request').detail).toContain('needs no connection')

    const unknown = await me.call('POST', '/v1/connections', {
      service: 'nope',
      kind: 'token',
      credentials: { token: 'x' },
    })
    expectProblem(unknown, 404, 'service_not_found')

    const smtp = await me.call('POST', '/v1/connections', {
      service: 'email',
      name: 'mail',
      kind: 'smtp',
      credentials: {
        host: 'smtp.example.test',
        port: '2525',
        user: 'me',
        password: 'hunter22',
        extra: 'dropped',
      },
    })
    expect(smtp.statusCode, smtp.body).toBe(201)
    const row = await storedRow('mail')
    expect(JSON.parse(t.ctx.secrets.open(row?.credentials_encrypted ?? ''))).toEqual({
      host: 'smtp.example.test',
      port: 2525,
      secure: false,
      user: 'me',
      password: 'hunter22',
    })
    expect(row?.credentials_encrypted).not.toContain('hunter22')
  })

  it('refuses to remove a connection an AREA uses, naming the AREA; removes it once unused', async () => {
    const applied = await me.call('PUT', '/v1/areas/comment-on-hook', {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'comment-on-hook' },
      spec: {
        action: { service: 'test', action: 'hook' },
        reactions: [
          {
            id: 'c',
            service: 'github',
            reaction: 'comment',
            connection: 'github',
            params: { repo: 'octo/app', issue_number: 1, body: 'hi' },
          },
        ],
      },
    })
    expect(applied.statusCode, applied.body).toBe(201)

    const refused = await me.call('DELETE', '/v1/connections/github')
    const problem = expectProblem(refused, 409, 'connection_in_use')
    expect(problem.detail).toContain('"comment-on-hook"')
    expect(await storedRow('github')).toBeDefined()

    expectProblem(await me.call('DELETE', '/v1/connections/absent'), 404, 'connection_not_found')

    expect((await me.call('DELETE', '/v1/areas/comment-on-hook')).statusCode).toBe(204)
    expect((await me.call('DELETE', '/v1/connections/github')).statusCode).toBe(204)
    expect(await storedRow('github')).toBeUndefined()
  })

  it('connects through OAuth 2: authorize URL with PKCE, callback without a bearer, tokens sealed', async () => {
    const started = await me.call('GET', '/v1/connections/github/authorize?name=github-work')
    expect(started.statusCode, started.body).toBe(200)
    const { authorizeUrl, state, name } = started.json() as {
      authorizeUrl: string
      state: string
      name: string
    }
    expect(name).toBe('github-work')
    // Our own start page first (it binds the browser), which redirects to the provider.
    expect(authorizeUrl).toMatch(/^http:\/\/area\.test\/v1\/connections\/github\/start\?state=/)
    const start = await app.inject({ method: 'GET', url: pathOf(authorizeUrl) })
    expect(start.statusCode).toBe(302)
    const url = new URL(start.headers.location as string)
    expect(`${url.origin}${url.pathname}`).toBe(provider.authorizeUrl)
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: 'http://area.test/v1/connections/github/callback',
      scope: 'repo',
      state,
      code_challenge_method: 'S256',
    })
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The verifier is sealed inside the state, not readable from it.
    expect(started.body).not.toContain('verifier')

    const {
      answer: confirmed,
      confirmation,
      form,
      cookie,
    } = await connectInBrowser(browser(), authorizeUrl, provider)
    expect(confirmation.status).toBe(200)
    const answer = { statusCode: confirmed.status, body: confirmed.body }
    expect(answer.statusCode, answer.body).toBe(200)
    expect(answer.body).toContain('You can close this tab')
    const page = await app.inject({
      method: 'GET',
      url: pathOf(await provider.approve(start.headers.location as string)),
    })
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.headers['cache-control']).toBe('no-store')

    const accessToken = provider.accessTokens.at(-1) ?? ''
    expect(answer.body).not.toContain(accessToken)
    const row = await storedRow('github-work')
    expect(row).toMatchObject({ kind: 'oauth2', status: 'active' })
    expect(row?.credentials_encrypted).not.toContain(accessToken)
    const sealed = JSON.parse(t.ctx.secrets.open(row?.credentials_encrypted ?? ''))
    expect(sealed).toMatchObject({
      accessToken,
      tokenType: 'bearer',
      refreshToken: expect.stringMatching(/^ghr_/),
    })
    const expiresIn = (row?.token_expires_at?.getTime() ?? 0) - Date.now()
    expect(expiresIn).toBeGreaterThan(28_000_000)
    expect(expiresIn).toBeLessThanOrEqual(28_800_000)

    const listed = (await me.call('GET', '/v1/connections')).json().items
    expect(listed.find((c: { name: string }) => c.name === 'github-work')).toMatchObject({
      kind: 'oauth2',
      status: 'active',
      tokenExpiresAt: row?.token_expires_at?.toISOString(),
    })

    // The state works once; the provider's code too.
    const replay = await browser()('POST', form?.action as string, { cookie, form: form?.fields })
    expect(replay.status).toBe(400)
    expect(replay.body).toContain('already used')
  })

  it('reconnects an existing oauth2 connection (after a failed refresh) in place', async () => {
    await db()
      .updateTable('user_services')
      .set({ status: 'refresh_failed', status_detail: 'invalid_grant' })
      .where('user_id', '=', me.userId)
      .where('name', '=', 'github-work')
      .execute()
    const before = await storedRow('github-work')
    const { authorizeUrl } = (
      await me.call('GET', '/v1/connections/github/authorize?name=github-work')
    ).json()
    const { answer } = await connectInBrowser(browser(), authorizeUrl, provider)
    expect(answer.status, answer.body).toBe(200)
    const after = await storedRow('github-work')
    expect(after).toMatchObject({ id: before?.id, status: 'active', status_detail: null })
    expect(JSON.parse(t.ctx.secrets.open(after?.credentials_encrypted ?? '')).accessToken).toBe(
      provider.accessTokens.at(-1),
    )
  })

  it('answers an error page for a forged state, a provider error and a wrong PKCE verifier', async () => {
    const forged = await app.inject({
      method: 'GET',
      url: '/v1/connections/github/callback?code=abc&state=v1.x.y.z',
    })
    expect(forged.statusCode).toBe(400)
    expect(forged.body).toContain('not valid')

    const denied = await app.inject({
      method: 'GET',
      url: '/v1/connections/github/callback?error=access_denied',
    })
    expect(denied.statusCode).toBe(400)
    expect(denied.body).toContain('access_denied')

    // A code issued for another authorization (another challenge) does not verify with this state.
    const first = (await me.call('GET', '/v1/connections/github/authorize?name=mixed')).json()
    const second = (await me.call('GET', '/v1/connections/github/authorize?name=mixed')).json()
    const startFirst = await browser()('GET', pathOf(first.authorizeUrl))
    const codeOfFirst =
      new URL(await provider.approve(startFirst.location as string)).searchParams.get('code') ?? ''
    const startSecond = await browser()('GET', pathOf(second.authorizeUrl))
    const cookie = startSecond.setCookie.map((c) => c.split(';')[0]).join('; ')
    const page = await browser()(
      'GET',
      `/v1/connections/github/callback?code=${codeOfFirst}&state=${encodeURIComponent(second.state)}`,
      { cookie },
    )
    const form = confirmForm(page.body)
    const crossed = await browser()('POST', form.action, { cookie, form: form.fields })
    expect(crossed.status).toBe(502)
    expect(crossed.body).toContain('invalid_grant')
    expect(await storedRow('mixed')).toBeUndefined()
  })

  it('authorizes an http oauth2_code connection with its own app (PKCE), then refreshes it on expiry', async () => {
    const sink = await startHttpSink()
    try {
      const app = {
        baseUrl: `${sink.url}/api/`,
        authorizeUrl: provider.authorizeUrl,
        tokenUrl: provider.tokenUrl,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        scopes: 'read write',
      }
      const added = await me.call('POST', '/v1/connections', {
        service: 'http',
        name: 'acme',
        kind: 'oauth2_code',
        credentials: app,
      })
      expect(added.statusCode, added.body).toBe(201)
      // Not authorized yet: a run says what to do.
      const pending = await storedRow('acme')
      const unauthorized = await request
        .run(
          reactionContext(
            { url: `${sink.url}/api/x`, method: 'GET' },
            { auth: JSON.parse(t.ctx.secrets.open(pending?.credentials_encrypted ?? '')) },
          ) as never,
        )
        .catch((e: Error) => e)
      expect((unauthorized as Error).message).toContain('not authorized yet')

      // Replacing the credentials without naming a kind keeps the connection's own (not bearer).
      const replaced = await me.call('PUT', '/v1/connections/acme', { credentials: app })
      expect(replaced.statusCode, replaced.body).toBe(200)
      expect(replaced.json()).toMatchObject({ name: 'acme', kind: 'oauth2_code' })

      const started = await me.call('GET', '/v1/connections/http/authorize?name=acme')
      expect(started.statusCode, started.body).toBe(200)
      const { authorizeUrl } = started.json() as { authorizeUrl: string }
      const start = await appInstance().inject({ method: 'GET', url: pathOf(authorizeUrl) })
      const url = new URL(start.headers.location as string)
      expect(`${url.origin}${url.pathname}`).toBe(provider.authorizeUrl)
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        client_id: provider.clientId,
        redirect_uri: 'http://area.test/v1/connections/http/callback',
        scope: 'read write',
        code_challenge_method: 'S256',
      })
      // The client secret is not in the browser's URL, sealed or not.
      expect(start.headers.location).not.toContain(provider.clientSecret)
      const { answer } = await connectInBrowser(browser(), authorizeUrl, provider)
      expect(answer.status, answer.body).toBe(200)
      const row = await storedRow('acme')
      expect(row).toMatchObject({ kind: 'oauth2_code', status: 'active', id: pending?.id })
      expect(row?.token_expires_at).not.toBeNull()
      const firstToken = provider.accessTokens.at(-1) ?? ''
      expect(JSON.parse(t.ctx.secrets.open(row?.credentials_encrypted ?? ''))).toMatchObject({
        ...app,
        accessToken: firstToken,
        refreshToken: expect.any(String),
        tokenType: 'bearer',
      })

      // Expired: the worker's read refreshes it with the connection's own app, keeping the app.
      await db()
        .updateTable('user_services')
        .set({ token_expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', row?.id ?? '')
        .execute()
      const credentials = await openCredentialsForRun(db(), t.ctx.secrets, row?.id ?? '', {
        refresh: createConnectionRefresher(t.ctx.registry, t.ctx.engine.settingsFor),
      })
      expect(provider.grants.at(-1)?.grantType).toBe('refresh_token')
      const refreshedToken = provider.accessTokens.at(-1) ?? ''
      expect(refreshedToken).not.toBe(firstToken)
      expect(credentials).toMatchObject({ ...app, accessToken: refreshedToken })
      const after = await storedRow('acme')
      expect((after?.token_expires_at?.getTime() ?? 0) > Date.now()).toBe(true)

      await request.run(
        reactionContext({ url: `${sink.url}/api/me`, method: 'GET' }, { auth: credentials }) as never,
      )
      expect(sink.requests.at(-1)?.headers.authorization).toBe(`Bearer ${refreshedToken}`)
    } finally {
      await sink.close()
    }
  })

  it('answers 400 naming the variables when the server has no OAuth app for the service', async () => {
    const saved = t.ctx.engine
    t.ctx.engine = createEngine(t.ctx.registry, {})
    try {
      const answer = await me.call('GET', '/v1/connections/github/authorize')
      const problem = expectProblem(answer, 400, 'oauth_not_configured')
      expect(problem.detail).toContain('AREA_GITHUB_CLIENT_ID')
      expect(problem.detail).toContain('AREA_GITHUB_CLIENT_SECRET')
    } finally {
      t.ctx.engine = saved
    }
    const notOAuth = await me.call('GET', '/v1/connections/email/authorize')
    expect(expectProblem(notOAuth, 400, 'oauth_not_configured').detail).toContain('--token-stdin')
  })

  it('needs a token for everything but the callback, and shows nobody else connections', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/v1/connections' })
    expectProblem(anonymous, 401, 'unauthenticated')
    const anonymousAuthorize = await app.inject({ method: 'GET', url: '/v1/connections/github/authorize' })
    expectProblem(anonymousAuthorize, 401, 'unauthenticated')

    const other = await signUp(app)
    expect((await other.call('GET', '/v1/connections')).json().items).toEqual([])
    expectProblem(await other.call('DELETE', '/v1/connections/github-work'), 404, 'connection_not_found')
    expect(await storedRow('github-work')).toBeDefined()
  })
})
