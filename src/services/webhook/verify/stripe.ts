/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with
 * the endpoint's signing secret (`whsec_…`, its text as is), refused beyond five minutes. While
 * a secret rolls, several `v1=` entries come; any one that matches passes.
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

const HEADER = 'stripe-signature'

function digest(secret: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
}

/** The header Stripe sends, for tests and for signing by hand. */
export function signStripe(secret: string, timestamp: string, body: Buffer | string): string {
  return `t=${timestamp},v1=${digest(secret, timestamp, body).toString('hex')}`
}

export function verifyStripe(
  secret: string | undefined,
  request: SignedRequest,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): WebhookVerdict {
  const value = header(request, HEADER)
  if (!value) return refuse('missing Stripe-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256>')
  const entries = value.split(',').map((part) => {
    const equals = part.indexOf('=')
    return equals < 0 ? ['', ''] : [part.slice(0, equals).trim(), part.slice(equals + 1).trim()]
  })
  const timestamp = entries.find(([key]) => key === 't')?.[1]
  const stale = staleTimestamp(timestamp, 't= in Stripe-Signature', toleranceSeconds, request.now)
  if (stale) return stale
  if (!secret) return noSecret
  const expected = digest(secret, timestamp as string, request.rawBody)
  const signatures = entries.filter(([key]) => key === 'v1').map(([, sig]) => sig as string)
  if (signatures.length === 0) return refuse('Stripe-Signature has no v1= signature')
  for (const signature of signatures) {
    const given = Buffer.from(signature, 'hex')
    if (given.toString('hex') === signature.toLowerCase() && sameBytes(given, expected)) return ACCEPT
  }
  return refuse(
    'no v1= signature of Stripe-Signature matches: expected the hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint\'s signing secret',
  )
}
