/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the sender signs
 * `<webhook-id>.<webhook-timestamp>.<raw body>` with HMAC-SHA256 under the hook's `whsec_…`
 * secret and sends `webhook-signature: v1,<base64>` (several, space-separated, while it rotates
 * keys). The timestamp bounds replays to the tolerance window; the id deduplicates inside it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { WebhookVerdict } from '../../engine/define.js'

/** How far the sender's clock may be from ours, both ways. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60

const SECRET_PREFIX = 'whsec_'

export interface SignedMessage {
  id: string
  /** Unix seconds, as sent in `webhook-timestamp`. */
  timestamp: string
  body: Buffer | string
}

/** The key bytes of a `whsec_<base64>` secret (a secret without the prefix is taken as base64 too). */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret
  return Buffer.from(encoded, 'base64')
}

function digest(key: Buffer, message: SignedMessage): Buffer {
  // The body is hashed as the exact bytes received: re-serialized JSON would not match.
  return createHmac('sha256', key).update(`${message.id}.${message.timestamp}.`).update(message.body).digest()
}

/** The `webhook-signature` value a sender computes: `v1,<base64 HMAC>`. */
export function signStandardWebhook(secret: string, message: SignedMessage): string {
  return `v1,${digest(secretKey(secret), message).toString('base64')}`
}

export interface StandardWebhookHeaders {
  id: string | undefined
  timestamp: string | undefined
  signature: string | undefined
}

/** Checks the three headers against the raw body; any one valid `v1` signature passes. */
export function verifyStandardWebhook(
  secret: string | undefined,
  headers: StandardWebhookHeaders,
  body: Buffer,
  now: Date,
): WebhookVerdict {
  const missing = (['id', 'timestamp', 'signature'] as const).filter((name) => !headers[name])
  if (missing.length) {
    return {
      ok: false,
      reason: `missing ${missing.map((name) => `webhook-${name}`).join(', ')} header${missing.length > 1 ? 's' : ''}: sign the request as Standard Webhooks describes`,
    }
  }
  const { id, timestamp, signature } = headers as Required<{ [K in keyof StandardWebhookHeaders]: string }>
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'webhook-timestamp must be the signing time in unix seconds' }
  }
  const skew = Math.floor(now.getTime() / 1000) - Number(timestamp)
  if (Math.abs(skew) > TIMESTAMP_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: `webhook-timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'}; at most ${TIMESTAMP_TOLERANCE_SECONDS} s either way is accepted (a replay, or a clock out of sync)`,
    }
  }
  if (!secret) return { ok: false, reason: 'this hook has no signing secret' }
  const expected = digest(secretKey(secret), { id, timestamp, body })
  for (const entry of signature.split(' ')) {
    const comma = entry.indexOf(',')
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue
    const given = Buffer.from(entry.slice(comma + 1), 'base64')
    // timingSafeEqual needs equal lengths; the length of a valid signature is public anyway.
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true }
  }
  return {
    ok: false,
    reason:
      'no webhook-signature matches: expected v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>"> keyed with the hook\'s whsec_ secret',
  }
}
