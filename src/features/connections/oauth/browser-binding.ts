/**
 * What ties the end of an OAuth flow to the browser and the person that started it
 * (docs/architecture.md, "Connections and credentials"; issue 11, point 12). An authorize link
 * is just a URL: sent to someone else, it would connect *their* provider account to the sender's
 * area account. So:
 * - the flow starts on our own URL (`/start`), which sets a cookie bound to the state's nonce
 *   (SameSite=Lax: sent on the provider's top-level redirect back, never on a cross-site POST)
 *   before sending the browser on to the provider;
 * - the callback exchanges nothing: it shows which area account will receive the connection and
 *   asks for a confirmation, a POST carrying a sealed form token bound to the same nonce;
 * - the POST is refused (403) unless both the token and the cookie match the state.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { SecretBox } from '../../../secrets/secret-box.js'
import type { PendingAuthorization } from './state.js'

const digest = (label: string, nonce: string) =>
  createHash('sha256').update(`${label}\n${nonce}`).digest('base64url')

/** One cookie per flow, so two flows in one browser do not overwrite each other. */
export function bindingCookie(pending: PendingAuthorization): {
  name: string
  value: string
  maxAgeSeconds: number
} {
  return {
    name: `area_oauth_${digest('name', pending.nonce).slice(0, 16)}`,
    value: digest('cookie', pending.nonce),
    maxAgeSeconds: Math.max(1, Math.ceil((pending.expiresAt - Date.now()) / 1000)),
  }
}

export function cookieMatches(
  pending: PendingAuthorization,
  cookies: Readonly<Record<string, string | undefined>>,
): boolean {
  const { name, value } = bindingCookie(pending)
  return same(cookies[name], value)
}

/** The confirmation form's token: sealed, so it cannot be made without the server's key. */
export function sealConfirmToken(secrets: SecretBox, pending: PendingAuthorization): string {
  return secrets.seal(
    JSON.stringify({ kind: 'oauth_confirm', nonce: pending.nonce, expiresAt: pending.expiresAt }),
  )
}

export function confirmTokenMatches(
  secrets: SecretBox,
  pending: PendingAuthorization,
  token: string | undefined,
): boolean {
  if (!token) return false
  try {
    const opened = JSON.parse(secrets.open(token)) as { kind?: unknown; nonce?: unknown }
    return (
      opened.kind === 'oauth_confirm' && typeof opened.nonce === 'string' && same(opened.nonce, pending.nonce)
    )
  } catch {
    return false
  }
}

function same(a: string | undefined, b: string): boolean {
  if (a === undefined) return false
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
