/**
 * Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1>` keyed with the account's auth token, over the
 * full URL Twilio posted to followed by each POST field's name and value, sorted by name. A JSON
 * body is not in the signed text: the URL carries its hex SHA-256 as `bodySHA256`, checked here.
 * The URL is this server's public URL (AREA_PUBLIC_URL) with the path and query: it must be the
 * one configured in Twilio, character for character.
 */
import { createHash, createHmac } from 'node:crypto'
import type { WebhookVerdict } from '../../../engine/define.js'
import {
  ACCEPT,
  header,
  noSecret,
  queryValue,
  refuse,
  type SignedRequest,
  sameBytes,
  sameText,
} from './signed-request.js'

type Fields = Readonly<Record<string, unknown>>

/** The text Twilio signs: the URL, then name+value of each field sorted by name. */
function signedText(url: string, fields: Fields): string {
  let text = url
  for (const name of Object.keys(fields).sort()) {
    const value = fields[name]
    const values = Array.isArray(value) ? [...value].map(String).sort() : [String(value)]
    for (const item of values) text += `${name}${item}`
  }
  return text
}

/** The header Twilio sends, for tests and for signing by hand. */
export function signTwilio(authToken: string, url: string, fields: Fields): string {
  return createHmac('sha1', authToken).update(signedText(url, fields)).digest('base64')
}

function isForm(request: SignedRequest): boolean {
  const type = header(request, 'content-type') ?? ''
  return type.split(';', 1)[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded'
}

export function verifyTwilio(secret: string | undefined, request: SignedRequest): WebhookVerdict {
  const given = header(request, 'x-twilio-signature')
  if (!given) return refuse('missing X-Twilio-Signature header: <base64 HMAC-SHA1>')
  if (!request.url) return refuse('this server cannot tell the URL Twilio signed')
  if (!secret) return noSecret
  const form = isForm(request)
  const fields =
    form && request.body !== null && typeof request.body === 'object' ? (request.body as Fields) : {}
  const expected = Buffer.from(signTwilio(secret, request.url, fields), 'base64')
  if (!sameBytes(Buffer.from(given.trim(), 'base64'), expected)) {
    return refuse(
      'X-Twilio-Signature does not match: expected the base64 HMAC-SHA1 of the URL Twilio posted to (AREA_PUBLIC_URL and the path, as configured in Twilio) and the sorted POST fields, keyed with the auth token',
    )
  }
  if (!form) {
    // The URL's bodySHA256 is what ties a JSON body to the signature.
    const claimed = queryValue(request, 'bodySHA256')
    const actual = createHash('sha256').update(request.rawBody).digest('hex')
    if (!claimed || !sameText(claimed.toLowerCase(), actual))
      return refuse('the body does not match the bodySHA256 query parameter Twilio signed')
  }
  return ACCEPT
}
