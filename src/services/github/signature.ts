/**
 * GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`,
 * keyed with the hook's secret as configured on GitHub.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { WebhookVerdict } from '../../engine/define.js'

export function signGitHubPayload(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export function verifyGitHubSignature(
  secret: string | undefined,
  header: string | string[] | undefined,
  rawBody: Buffer,
): WebhookVerdict {
  if (!secret) return { ok: false, reason: 'this hook has no secret to check X-Hub-Signature-256 against' }
  const value = Array.isArray(header) ? header[0] : header
  if (!value) return { ok: false, reason: 'missing X-Hub-Signature-256 header' }
  const match = /^sha256=([0-9a-f]{64})$/i.exec(value.trim())
  if (!match?.[1]) return { ok: false, reason: 'X-Hub-Signature-256 is not sha256=<64 hex digits>' }
  const expected = createHmac('sha256', secret).update(rawBody).digest()
  // Both sides are 32 bytes here, so timingSafeEqual cannot throw on a length mismatch.
  const given = Buffer.from(match[1], 'hex')
  if (!timingSafeEqual(expected, given))
    return { ok: false, reason: 'X-Hub-Signature-256 does not match the body' }
  return { ok: true }
}
