/**
 * The `state` of an authorization in progress. It is sealed with the server's SecretBox
 * (AES-256-GCM), so the PKCE verifier, the user and the connection name travel through the
 * browser unreadable and unforgeable, and any API replica can finish the flow without shared
 * memory. It lives ten minutes and is accepted once: its nonce is recorded in Postgres, so a
 * callback replayed to another replica is refused too (the provider also accepts each code once,
 * and only with this verifier).
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../../db/schema.js'
import type { SecretBox } from '../../../secrets/secret-box.js'

export const stateLifetimeMs = 10 * 60_000

export interface PendingAuthorization {
  userId: string
  service: string
  name: string
  verifier: string
  redirectUri: string
  /** Epoch milliseconds after which the state is refused. */
  expiresAt: number
  nonce: string
  /**
   * A connection's own OAuth app (own-client.ts): where to send the browser. Its secret stays in
   * the connection, read again at the code exchange.
   */
  client?: { authorizeUrl: string; clientId: string; scopes: string[] }
}

export function sealState(secrets: SecretBox, pending: PendingAuthorization): string {
  return secrets.seal(JSON.stringify({ kind: 'oauth_state', ...pending }))
}

export type StateCheck =
  | { ok: true; pending: PendingAuthorization }
  | { ok: false; reason: 'invalid' | 'expired' | 'used' }

export interface StateGuard {
  open(state: string, now?: number): Promise<StateCheck>
}

/**
 * Reads a state without using it up: for the steps before the code exchange (the start in the
 * browser, the confirmation page), which may be shown again. Used or not is `open`'s business.
 */
export function peekState(secrets: SecretBox, state: string, now = Date.now()): StateCheck {
  let pending: PendingAuthorization & { kind?: string }
  try {
    pending = JSON.parse(secrets.open(state))
  } catch {
    return { ok: false, reason: 'invalid' }
  }
  if (pending.kind !== 'oauth_state' || typeof pending.nonce !== 'string')
    return { ok: false, reason: 'invalid' }
  if (pending.expiresAt < now) return { ok: false, reason: 'expired' }
  return { ok: true, pending }
}

/** Opens states and refuses a second use of the same one, on any replica, while it could be valid. */
export function createStateGuard(secrets: SecretBox, db: Kysely<Database>): StateGuard {
  return {
    async open(state, now = Date.now()) {
      const check = peekState(secrets, state, now)
      if (!check.ok) return check
      const { pending } = check
      // Callbacks are rare: clearing the expired nonces here keeps the table to ten minutes' worth.
      await sql`delete from area.oauth_states_used where expires_at < now()`.execute(db)
      const inserted = await db
        .insertInto('oauth_states_used')
        .values({ nonce: pending.nonce, expires_at: new Date(pending.expiresAt) })
        .onConflict((oc) => oc.column('nonce').doNothing())
        .returning('nonce')
        .executeTakeFirst()
      if (!inserted) return { ok: false, reason: 'used' }
      return { ok: true, pending }
    },
  }
}
