/**
 * OAuth connection hijack (issue 11, point 12): an authorize link sent to someone else must not
 * connect their provider account to the sender's area account unseen. The callback names the
 * receiving account and exchanges nothing; only a confirmation POST with the sealed form token
 * and the cookie of the browser that started the flow exchanges the code.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { type Caller, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { type FakeOAuthProvider, startFakeOAuthProvider } from '../../support/fakes/oauth-provider.js'
import {
  type BrowserSend,
  confirmForm,
  connectInBrowser,
  githubOAuthEnv,
  injectBrowser,
  pathOf,
  useServiceEnv,
} from '../../support/oauth-env.js'

describe('OAuth callback confirmation', () => {
  let t: TestDaemonContext
  let app: AreaApp
  let sender: Caller
  let provider: FakeOAuthProvider
  let browser: BrowserSend
  const codeGrants = () => provider.grants.filter((g) => g.grantType === 'authorization_code').length
  const connections = async (userId: string) =>
    (
      await t.ctx.store.db
        .selectFrom('user_services')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow()
    ).n

  beforeAll(async () => {
    provider = await startFakeOAuthProvider()
    t = await openTestDaemonContext('postgres')
    useServiceEnv(t.ctx, githubOAuthEnv(provider))
    app = await buildApp(t.ctx)
    sender = await signUp(app)
    browser = injectBrowser(app)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
    await provider?.close()
  })

  /** Opens the authorize link in a fresh browser up to the confirmation page. */
  async function upToConfirmation(name: string) {
    const { authorizeUrl } = (
      await sender.call('GET', `/v1/connections/github/authorize?name=${name}`)
    ).json()
    const start = await browser('GET', pathOf(authorizeUrl))
    expect(start.status).toBe(302)
    const cookie = start.setCookie.map((c) => c.split(';')[0]).join('; ')
    expect(start.setCookie.join('\n')).toMatch(/HttpOnly/)
    expect(start.setCookie.join('\n')).toMatch(/SameSite=Lax/)
    const callback = await provider.approve(start.location as string)
    const page = await browser('GET', pathOf(callback), { cookie })
    return { authorizeUrl, callback, cookie, page, form: confirmForm(page.body) }
  }

  it('GET callback names the receiving account and exchanges nothing', async () => {
    const before = codeGrants()
    const { page, form } = await upToConfirmation('gh-page')
    expect(page.status).toBe(200)
    expect(page.body).toContain(sender.email)
    expect(page.body).toContain('gh-page')
    expect(form.fields).toEqual({
      code: expect.any(String),
      state: expect.any(String),
      token: expect.any(String),
    })
    expect(codeGrants()).toBe(before)
    expect(await connections(sender.userId)).toBe(0)
  })

  it('POST without the token, with a wrong one, or from another browser is 403 and exchanges nothing', async () => {
    const before = codeGrants()
    const { form, cookie } = await upToConfirmation('gh-forged')
    const other = await upToConfirmation('gh-other')
    const post = (fields: Record<string, string>, withCookie = cookie) =>
      browser('POST', form.action, { cookie: withCookie, form: fields })
    const { token: _token, ...noToken } = form.fields
    expect((await post(noToken)).status).toBe(403)
    expect((await post({ ...form.fields, token: 'v1.AAAA.BBBB.CCCC' })).status).toBe(403)
    // A real token of another flow does not confirm this one.
    expect((await post({ ...form.fields, token: other.form.fields.token as string })).status).toBe(403)
    // The link opened in a browser that did not start the flow (no cookie, or another flow's).
    expect((await post(form.fields, '')).status).toBe(403)
    expect((await post(form.fields, other.cookie)).status).toBe(403)
    expect(codeGrants()).toBe(before)
    expect(await connections(sender.userId)).toBe(0)

    // Refusals did not use the state up: the real confirmation still works.
    const confirmed = await post(form.fields)
    expect(confirmed.status, confirmed.body).toBe(200)
    expect(codeGrants()).toBe(before + 1)
  })

  it('POST with the token and the cookie connects the account that started the flow', async () => {
    const victim = await signUp(app)
    const result = await connectInBrowser(
      browser,
      (await sender.call('GET', '/v1/connections/github/authorize?name=gh-mine')).json().authorizeUrl,
      provider,
    )
    expect(result.answer.status, result.answer.body).toBe(200)
    expect(result.answer.body).toContain('You can close this tab')
    const row = await t.ctx.store.db
      .selectFrom('user_services')
      .select(['user_id', 'name', 'kind'])
      .where('name', '=', 'gh-mine')
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ user_id: sender.userId, name: 'gh-mine', kind: 'oauth2' })
    expect(await connections(victim.userId)).toBe(0)
    // Once: the same confirmation again is refused.
    const again = await browser('POST', result.form?.action as string, {
      cookie: result.cookie,
      form: result.form?.fields,
    })
    expect(again.status).toBe(400)
    expect(again.body).toContain('already used')
  })

  it('a start link without a valid state is a 400 page, with no cookie', async () => {
    const bad = await browser('GET', '/v1/connections/github/start?state=v1.x.y.z')
    expect(bad.status).toBe(400)
    expect(bad.setCookie).toEqual([])
  })
})
