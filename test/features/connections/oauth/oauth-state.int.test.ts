/**
 * PKCE and the sealed OAuth state: the S256 challenge, states that expire, cannot be forged or
 * read, and work once, across API replicas too (the used nonces are in the shared database).
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createPkce, pkceChallenge } from '../../../../src/features/connections/oauth/pkce.js'
import {
  createStateGuard,
  type PendingAuthorization,
  sealState,
} from '../../../../src/features/connections/oauth/state.js'
import { createSecretBox } from '../../../../src/secrets/secret-box.js'
import { describeEachDriver } from '../../../support/db/stores.js'

const pending = (expiresAt: number): PendingAuthorization => ({
  userId: '6f1c2f9e-0000-4000-8000-000000000001',
  service: 'github',
  name: 'github-work',
  verifier: createPkce().verifier,
  redirectUri: 'http://area.test/v1/connections/github/callback',
  expiresAt,
  nonce: randomBytes(16).toString('base64url'),
})

describe('PKCE', () => {
  it('derives the S256 challenge: base64url(sha256(verifier)) without padding', () => {
    // Computed with: printf %s VERIFIER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d =
    expect(pkceChallenge('dBjftJeZ4CVP-mJ92IZ1WLmFJ5EsDhRn6mYK2bNDYrs')).toBe(
      '-SwKI4q2ojc0zD_t4XNM4UNBHefdY87-ejdRC_Q6srY',
    )
    const { verifier, challenge } = createPkce()
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(challenge).toBe(pkceChallenge(verifier))
  })
})

describeEachDriver('the OAuth state', (store) => {
  it('opens a state once, hides the verifier, refuses expired, forged and foreign states', async () => {
    const secrets = createSecretBox(randomBytes(32))
    const guard = createStateGuard(secrets, store().db)
    const now = Date.now()
    const given = pending(now + 60_000)
    const state = sealState(secrets, given)
    expect(state).not.toContain(given.verifier)
    expect(state).not.toContain(given.userId)

    expect(await guard.open(state, now)).toEqual({ ok: true, pending: expect.objectContaining(given) })
    expect(await guard.open(state, now)).toEqual({ ok: false, reason: 'used' })

    expect(await guard.open(sealState(secrets, pending(now - 1)), now)).toEqual({
      ok: false,
      reason: 'expired',
    })
    const tampered = `${state.slice(0, -4)}AAAA`
    expect(await guard.open(tampered, now)).toEqual({ ok: false, reason: 'invalid' })
    // Sealed by another server key, or any other sealed value: not a state of ours.
    expect(await guard.open(sealState(createSecretBox(randomBytes(32)), pending(now + 60_000)), now)).toEqual(
      { ok: false, reason: 'invalid' },
    )
    expect(await guard.open(secrets.seal('{"token":"x"}'), now)).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses on one replica a state another replica already accepted, and forgets expired ones', async () => {
    const secrets = createSecretBox(randomBytes(32))
    // Two API replicas: the same key and database, nothing else shared.
    const [first, second] = [createStateGuard(secrets, store().db), createStateGuard(secrets, store().db)]
    const state = sealState(secrets, pending(Date.now() + 60_000))
    const results = await Promise.all([first.open(state), second.open(state)])
    expect(results.map((r) => r.ok).sort()).toEqual([false, true])
    expect(await second.open(state)).toEqual({ ok: false, reason: 'used' })

    // A used nonce whose state has expired is deleted by the next callback.
    await sql`update area.oauth_states_used set expires_at = now() - interval '1 second'`.execute(store().db)
    await first.open(sealState(secrets, pending(Date.now() + 60_000)))
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from area.oauth_states_used`.execute(
      store().db,
    )
    expect(rows[0]?.n).toBe(1)
  })
})
