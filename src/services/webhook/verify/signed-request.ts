/**
 * What every verification scheme reads, and the small rules they share: one header's value,
 * a constant-time comparison, and the replay window of a signing timestamp
 * (docs/architecture.md, "Verifying webhooks").
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { WebhookVerdict } from '../../../engine/define.js'

export interface SignedRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>
  rawBody: Buffer
  query: Readonly<Record<string, string | string[] | undefined>>
  /** The URL the sender posted to, as this server's public URL names it (Twilio signs it). */
  url: string | undefined
  /** The body parsed by content type (form fields for Twilio), undefined when it did not parse. */
  body: unknown
  now: Date
}

/** A scheme's check, given the secret it keys with (the AREA's own, or the one in its params). */
export type Verifier = (secret: string | undefined, request: SignedRequest) => WebhookVerdict

/** Five minutes either way, as Stripe, Slack and Standard Webhooks do. */
export const DEFAULT_TOLERANCE_SECONDS = 300

export const refuse = (reason: string): WebhookVerdict => ({ ok: false, reason })
export const ACCEPT: WebhookVerdict = { ok: true }

/** A header's first value (Node lowercases names; a repeated header is a list). */
export function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

export function queryValue(request: SignedRequest, name: string): string | undefined {
  const value = request.query[name]
  return Array.isArray(value) ? value[0] : value
}

/** Equal bytes, in time that does not depend on where they differ. */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  // timingSafeEqual needs equal lengths; a signature's length is public anyway.
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Equal texts, in time that depends on neither where they differ nor their lengths: both are
 * hashed first (a shared token's length is part of the secret).
 */
export function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(a), digest(b))
}

/** The refusal of a timestamp outside the window, or undefined when it is inside. */
export function staleTimestamp(
  value: string | undefined,
  headerName: string,
  toleranceSeconds: number,
  now: Date,
): WebhookVerdict | undefined {
  if (!value) return refuse(`missing ${headerName} header: the signing time in unix seconds`)
  if (!/^\d{1,12}$/.test(value)) return refuse(`${headerName} must be the signing time in unix seconds`)
  const skew = Math.floor(now.getTime() / 1000) - Number(value)
  if (Math.abs(skew) <= toleranceSeconds) return undefined
  return refuse(
    `${headerName} is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'}; at most ${toleranceSeconds} s either way is accepted (a replay, or a clock out of sync)`,
  )
}

export const noSecret = refuse(
  'this hook has no signing secret: set verify.secret, or re-apply the AREA to generate one',
)
