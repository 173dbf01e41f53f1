/**
 * Supabase Auth is an outgoing call like any other (issue 11, point 10): with the strict policy
 * a Supabase on loopback is refused before any request (503, the log says why), and reached once
 * the operator allows loopback.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { type FakeSupabaseAuth, startFakeSupabaseAuth } from '../../support/fakes/supabase-auth.js'

describe('Supabase Auth and the address guard', () => {
  let supabase: FakeSupabaseAuth
  let t: TestDaemonContext
  let app: AreaApp

  beforeAll(async () => {
    supabase = await startFakeSupabaseAuth()
    t = await openTestDaemonContext('postgres', {
      config: { supabase: { url: supabase.url, anonKey: supabase.anonKey } },
    })
    app = await buildApp(t.ctx)
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await app?.close()
    await t?.close()
    await supabase?.close()
  })

  const me = (token: string) =>
    app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } })

  it('refuses a loopback Supabase under the strict policy, then reaches it when allowed', async () => {
    const user = supabase.addUser({ email: 'guarded@example.test', emailConfirmed: true })
    vi.stubEnv('AREA_HTTP_ALLOW_PRIVATE', '')
    const refused = await me(supabase.accessTokenFor(user))
    expect(refused.statusCode).toBe(503)
    expect(refused.json()).toMatchObject({ code: 'supabase_unavailable' })
    expect(supabase.calls('GET /auth/v1/user')).toHaveLength(0)

    vi.stubEnv('AREA_HTTP_ALLOW_PRIVATE', 'loopback')
    const allowed = await me(supabase.accessTokenFor(user))
    expect(allowed.statusCode, allowed.body).toBe(200)
    expect(supabase.calls('GET /auth/v1/user').length).toBeGreaterThan(0)
  })
})
