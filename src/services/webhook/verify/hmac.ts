/**
 * The generic HMAC scheme: the sender puts `<prefix><hex or base64 HMAC>` in one header, keyed
 * with the secret's text, over the raw body, or over the body joined with a signing timestamp
 * sent in another header (e.g. `{timestamp}.{body}`), which bounds replays to a tolerance.
 * GitHub, Shopify and Slack are this scheme with fixed settings.
 */
import { createHmac } from 'node:crypto'
import type { WebhookVerdict } from '../../../engine/define.js'
import {
  ACCEPT,
  DEFAULT_TOLERANCE_SECONDS,
  header,
  noSecret,
  refuse,
  type SignedRequest,
  sameBytes,
  staleTimestamp,
} from './signed-request.js'

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512'
export type SignatureEncoding = 'hex' | 'base64'

export interface HmacSettings {
  header: string
  algorithm: HmacAlgorithm
  encoding: SignatureEncoding
  /** Text before the signature in the header, e.g. `sha256=` or `v0=`. */
  prefix?: string
  /** When set, the signed text is `format` with the timestamp header's value and the body in it. */
  timestamp?: { header: string; format: string; toleranceSeconds?: number }
}

export const DEFAULT_SIGNED_FORMAT = '{timestamp}.{body}'

/** The bytes signed: the body alone, or the body inside the timestamp format. */
function signedBytes(settings: HmacSettings, timestamp: string | undefined, body: Buffer): Buffer {
  if (!settings.timestamp || timestamp === undefined) return body
  const [before = '', after = ''] = settings.timestamp.format.split('{body}')
  const fill = (text: string) => Buffer.from(text.replaceAll('{timestamp}', timestamp))
  return Buffer.concat([fill(before), body, fill(after)])
}

/** The header value a sender computes (tests and `area` users signing by hand). */
export function signHmac(
  settings: HmacSettings,
  secret: string,
  body: Buffer | string,
  timestamp?: string,
): string {
  const bytes = signedBytes(settings, timestamp, Buffer.from(body))
  const mac = createHmac(settings.algorithm, secret).update(bytes).digest(settings.encoding)
  return `${settings.prefix ?? ''}${mac}`
}

export function verifyHmac(
  settings: HmacSettings,
  secret: string | undefined,
  request: SignedRequest,
): WebhookVerdict {
  const describe = `${settings.prefix ?? ''}<${settings.encoding} HMAC-${settings.algorithm.toUpperCase()}>`
  const given = header(request, settings.header)
  if (!given) return refuse(`missing ${settings.header} header: ${describe}`)
  let timestamp: string | undefined
  if (settings.timestamp) {
    timestamp = header(request, settings.timestamp.header)
    const stale = staleTimestamp(
      timestamp,
      settings.timestamp.header,
      settings.timestamp.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
      request.now,
    )
    if (stale) return stale
  }
  if (!secret) return noSecret
  const prefix = settings.prefix ?? ''
  const value = given.trim()
  if (!value.startsWith(prefix)) return refuse(`${settings.header} must be ${describe}`)
  const expected = createHmac(settings.algorithm, secret)
    .update(signedBytes(settings, timestamp, request.rawBody))
    .digest()
  const encoded = value.slice(prefix.length)
  // Buffer.from skips what is not hex or base64; re-encoding refuses a value padded with junk.
  const decoded = Buffer.from(encoded, settings.encoding)
  const canonical =
    settings.encoding === 'hex' ? decoded.toString('hex') === encoded.toLowerCase() : decoded.length > 0
  if (!canonical || !sameBytes(decoded, expected)) {
    const over = settings.timestamp ? `"${settings.timestamp.format}"` : 'the raw body'
    return refuse(`${settings.header} does not match: expected ${describe} of ${over}`)
  }
  return ACCEPT
}
