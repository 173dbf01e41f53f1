/**
 * The `state` of an authorization in progress. It is sealed with the server's SecretBox
 * (AES-256-GCM), so the PKCE verifier, the user and the connection name travel through the
 * browser unreadable and unforgeable, and any API replica can finish the flow without shared
 * memory. It lives ten minutes and is accepted once per process (the provider also accepts each
 * code once, and only with this verifier).
 */
import type { SecretBox } from '../../store/secret-box.js'

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
}

export function sealState(secrets: SecretBox, pending: PendingAuthorization): string {
  return secrets.seal(JSON.stringify({ kind: 'oauth_state', ...pending }))
}

export type StateCheck =
  | { ok: true; pending: PendingAuthorization }
  | { ok: false; reason: 'invalid' | 'expired' | 'used' }

export interface StateGuard {
  open(state: string, now?: number): StateCheck
}

/** Opens states and refuses a second use of the same one for as long as it could be valid. */
export function createStateGuard(secrets: SecretBox): StateGuard {
  const used = new Map<string, number>()
  return {
    open(state, now = Date.now()) {
      for (const [nonce, expiresAt] of used) if (expiresAt < now) used.delete(nonce)
      let pending: PendingAuthorization & { kind?: string }
      try {
        pending = JSON.parse(secrets.open(state))
      } catch {
        return { ok: false, reason: 'invalid' }
      }
      if (pending.kind !== 'oauth_state' || typeof pending.nonce !== 'string')
        return { ok: false, reason: 'invalid' }
      if (pending.expiresAt < now) return { ok: false, reason: 'expired' }
      if (used.has(pending.nonce)) return { ok: false, reason: 'used' }
      used.set(pending.nonce, pending.expiresAt)
      return { ok: true, pending }
    },
  }
}
