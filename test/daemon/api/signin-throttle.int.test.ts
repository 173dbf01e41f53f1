/**
 * Sign-in throttling (issue 11, point 14): per-account and per-address limits with 429 and
 * Retry-After, X-Forwarded-For trusted only with AREA_TRUST_PROXY, failed logins audited, limits
 * shared across API replicas through Redis, and signup's answer to a taken e-mail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import type { SigninSettings } from '../../../src/daemon/config-signin.js'
import { signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../../support/redis.js'

const PASSWORD = 'correct horse battery'
const limits: SigninSettings = {
  accountFailures: 3,
  addressAttempts: 6,
  windowSeconds: 600,
  hashConcurrency: 2,
  hashQueue: 8,
  trustProxy: false,
}

function loginFrom(
  app: AreaApp,
  address: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress: address,
    headers,
    payload: { email, password },
  })
}

describe('sign-in throttling', () => {
  let t: TestDaemonContext
  let app: AreaApp

  beforeAll(async () => {
    t = await openTestDaemonContext('postgres', { config: { signin: limits } })
    app = await buildApp(t.ctx)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('limits failed logins per account with 429 and Retry-After, even for the right password, and not other accounts', async () => {
    const victim = await signUp(app)
    const other = await signUp(app)
    // From different addresses: only the account limit applies.
    for (let i = 0; i < 3; i++) {
      expect((await loginFrom(app, `10.0.1.${i}`, victim.email.toUpperCase(), 'guess')).statusCode).toBe(401)
    }
    const blocked = await loginFrom(app, '10.0.1.9', victim.email, PASSWORD)
    expect(blocked.statusCode).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    expect(blocked.json()).toMatchObject({ code: 'too_many_requests' })
    expect(blocked.json().detail).toContain('for this account')
    expect((await loginFrom(app, '10.0.1.9', other.email, PASSWORD)).statusCode).toBe(200)
  })

  it('limits attempts per address, whatever accounts they name', async () => {
    for (let i = 0; i < 6; i++) {
      expect((await loginFrom(app, '10.0.2.1', `nobody${i}@example.test`, 'guess')).statusCode).toBe(401)
    }
    const blocked = await loginFrom(app, '10.0.2.1', 'nobody-else@example.test', 'guess')
    expect(blocked.statusCode).toBe(429)
    expect(blocked.headers['retry-after']).toBeDefined()
    expect(blocked.json().detail).toContain('from this address')
    // Another address is not affected.
    expect((await loginFrom(app, '10.0.2.2', 'nobody@example.test', 'guess')).statusCode).toBe(401)
  })

  it('ignores X-Forwarded-For unless AREA_TRUST_PROXY is set', async () => {
    for (let i = 0; i < 6; i++) {
      await loginFrom(app, '10.0.3.1', `x${i}@example.test`, 'guess', { 'x-forwarded-for': `203.0.113.${i}` })
    }
    const rotated = await loginFrom(app, '10.0.3.1', 'x@example.test', 'guess', {
      'x-forwarded-for': '203.0.113.99',
    })
    expect(rotated.statusCode).toBe(429)

    const trusting = await buildApp({
      ...t.ctx,
      config: { ...t.ctx.config, signin: { ...limits, trustProxy: true } },
    })
    try {
      for (let i = 0; i < 6; i++) {
        await loginFrom(trusting, '10.0.4.1', `y${i}@example.test`, 'guess', {
          'x-forwarded-for': '198.51.100.1',
        })
      }
      const sameClient = await loginFrom(trusting, '10.0.4.1', 'y@example.test', 'guess', {
        'x-forwarded-for': '198.51.100.1',
      })
      expect(sameClient.statusCode).toBe(429)
      const otherClient = await loginFrom(trusting, '10.0.4.1', 'y@example.test', 'guess', {
        'x-forwarded-for': '198.51.100.2',
      })
      expect(otherClient.statusCode).toBe(401)
    } finally {
      await trusting.close()
    }
  })

  it('audits failed logins with the address, for known and unknown accounts', async () => {
    const user = await signUp(app)
    await loginFrom(app, '10.0.5.1', user.email, 'wrong')
    await loginFrom(app, '10.0.5.1', 'ghost@example.test', 'wrong')
    const rows = await t.ctx.store.db
      .selectFrom('audit_logs')
      .select(['user_id', 'action_type', 'target_resource', 'metadata'])
      .where('action_type', '=', 'user.login_failed')
      .where('target_resource', 'in', [`email/${user.email}`, 'email/ghost@example.test'])
      .execute()
    expect(rows).toHaveLength(2)
    expect(rows).toContainEqual(
      expect.objectContaining({
        user_id: user.userId,
        metadata: { address: '10.0.5.1', reason: 'wrong_password' },
      }),
    )
    expect(rows).toContainEqual(
      expect.objectContaining({
        user_id: null,
        metadata: { address: '10.0.5.1', reason: 'unknown_account' },
      }),
    )
  })

  it('answers a taken e-mail at signup with 409 in any case, and counts signups against the address', async () => {
    const user = await signUp(app)
    const taken = await app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      remoteAddress: '10.0.6.1',
      payload: { email: user.email.toUpperCase(), password: PASSWORD },
    })
    expect(taken.statusCode).toBe(409)
    for (let i = 0; i < 5; i++) {
      await app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        remoteAddress: '10.0.6.1',
        payload: { email: user.email, password: PASSWORD },
      })
    }
    const blocked = await app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      remoteAddress: '10.0.6.1',
      payload: { email: 'fresh@example.test', password: PASSWORD },
    })
    expect(blocked.statusCode).toBe(429)
  })
})

describe('sign-in limits across API replicas (Redis)', () => {
  const prefix = uniquePrefix('signin')
  let t: TestDaemonContext
  let replicas: AreaApp[]

  beforeAll(async () => {
    t = await openTestDaemonContext('postgres', {
      config: { signin: limits, redisUrl: sharedRedisUrl, redisPrefix: prefix },
    })
    replicas = [await buildApp(t.ctx), await buildApp(t.ctx)]
  })
  afterAll(async () => {
    for (const app of replicas ?? []) await app.close()
    await t?.close()
    await deleteKeys(prefix)
  })

  it('counts an account’s failures on every replica together', async () => {
    const [a, b] = replicas as [AreaApp, AreaApp]
    const user = await signUp(a)
    expect((await loginFrom(a, '10.0.7.1', user.email, 'guess')).statusCode).toBe(401)
    expect((await loginFrom(b, '10.0.7.2', user.email, 'guess')).statusCode).toBe(401)
    expect((await loginFrom(a, '10.0.7.3', user.email, 'guess')).statusCode).toBe(401)
    expect((await loginFrom(b, '10.0.7.4', user.email, PASSWORD)).statusCode).toBe(429)
  })
})
