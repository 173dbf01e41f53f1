/**
 * The verification schemes of webhook.received, by name: each one's check lives in its own file
 * here; this table says which settings of the `verify` param each one reads
 * (docs/architecture.md, "Verifying webhooks").
 */
import { github } from './github.js'
import { gitlab } from './gitlab.js'
import { DEFAULT_SIGNED_FORMAT, verifyHmac } from './hmac.js'
import type { Scheme, VerifyParam } from './params.js'
import { shopify } from './shopify.js'
import { ACCEPT, header, type SignedRequest, type Verifier } from './signed-request.js'
import { slack } from './slack.js'
import { verifyStandard } from './standard.js'
import { verifyStripe } from './stripe.js'
import { DEFAULT_TOKEN_SETTINGS, verifyToken } from './token.js'
import { verifyTwilio } from './twilio.js'

type Setting = Exclude<keyof VerifyParam, 'scheme'>

interface SchemeEntry {
  /** The settings it reads besides `secret`; the others are ignored, and `validate` says so. */
  reads: readonly Setting[]
  verifier(param: VerifyParam): Verifier
}

const table: Record<Scheme, SchemeEntry> = {
  standard: { reads: [], verifier: () => verifyStandard },
  hmac: {
    reads: ['header', 'prefix', 'algorithm', 'encoding', 'timestamp', 'tolerance'],
    verifier: (p) => {
      const settings = {
        // Required by the schema for hmac; an empty name finds no header, so nothing passes.
        header: p.header ?? '',
        algorithm: p.algorithm ?? 'sha256',
        encoding: p.encoding ?? 'hex',
        ...(p.prefix === undefined ? {} : { prefix: p.prefix }),
        ...(p.timestamp
          ? {
              timestamp: {
                header: p.timestamp.header,
                format: p.timestamp.format ?? DEFAULT_SIGNED_FORMAT,
                ...(p.tolerance === undefined ? {} : { toleranceSeconds: p.tolerance }),
              },
            }
          : {}),
      } as const
      return (secret, request) => verifyHmac(settings, secret, request)
    },
  },
  token: {
    reads: ['header', 'query', 'prefix'],
    verifier: (p) => {
      const settings =
        p.query !== undefined
          ? { query: p.query }
          : p.header !== undefined
            ? { header: p.header, ...(p.prefix === undefined ? {} : { prefix: p.prefix }) }
            : DEFAULT_TOKEN_SETTINGS
      return (secret, request) => verifyToken(settings, secret, request)
    },
  },
  none: { reads: [], verifier: () => () => ACCEPT },
  stripe: {
    reads: ['tolerance'],
    verifier: (p) => (secret, request) => verifyStripe(secret, request, p.tolerance),
  },
  github: { reads: [], verifier: () => (secret, request) => verifyHmac(github, secret, request) },
  gitlab: { reads: [], verifier: () => (secret, request) => verifyToken(gitlab, secret, request) },
  slack: {
    reads: ['tolerance'],
    verifier: (p) => {
      const settings =
        p.tolerance === undefined || !slack.timestamp
          ? slack
          : { ...slack, timestamp: { ...slack.timestamp, toleranceSeconds: p.tolerance } }
      return (secret, request) => verifyHmac(settings, secret, request)
    },
  },
  shopify: { reads: [], verifier: () => (secret, request) => verifyHmac(shopify, secret, request) },
  twilio: { reads: [], verifier: () => verifyTwilio },
}

/** The check `verify` (absent: Standard Webhooks) describes. */
export function verifierFor(param: VerifyParam | undefined): Verifier {
  return param ? table[param.scheme].verifier(param) : verifyStandard
}

/**
 * The sender's id of a delivery, deduplicated per hook (a retry of one event is recorded once):
 * the header each sender documents, Stripe's event id, else Standard Webhooks' `webhook-id`.
 */
export function deliveryIdFor(param: VerifyParam | undefined, request: SignedRequest): string | undefined {
  const body = request.body as { id?: unknown } | undefined
  switch (param?.scheme) {
    case 'stripe':
      return typeof body?.id === 'string' ? body.id : undefined
    case 'github':
      return header(request, 'x-github-delivery')
    case 'shopify':
      return header(request, 'x-shopify-webhook-id')
    case 'twilio':
      return header(request, 'i-twilio-idempotency-token')
    default:
      return header(request, 'webhook-id')
  }
}

/** The secret a delivery is checked with: the one in the params, else the AREA's generated one. */
export function signingSecret(param: VerifyParam | undefined, generated: string | undefined) {
  return param?.secret ?? generated
}

/** What `area validate` warns about in a valid `verify`: no check at all, settings it ignores. */
export function verifyWarnings(param: VerifyParam | undefined): { path: string; message: string }[] {
  if (!param) return []
  const warnings: { path: string; message: string }[] = []
  if (param.scheme === 'none') {
    warnings.push({
      path: '/verify/scheme',
      message:
        'none: anyone who learns this AREA’s URL can fire it; prefer a signature scheme or a preset, or keep the URL behind something that authenticates senders',
    })
  }
  const reads = table[param.scheme].reads
  for (const key of Object.keys(param) as (keyof VerifyParam)[]) {
    if (key === 'scheme' || key === 'secret' || reads.includes(key)) continue
    warnings.push({ path: `/verify/${key}`, message: `is ignored by scheme ${param.scheme}` })
  }
  if (param.scheme === 'none' && param.secret !== undefined)
    warnings.push({ path: '/verify/secret', message: 'is ignored by scheme none' })
  if (param.scheme === 'token' && param.query !== undefined) {
    for (const key of ['header', 'prefix'] as const) {
      if (param[key] !== undefined)
        warnings.push({ path: `/verify/${key}`, message: 'is ignored: the token is read from query' })
    }
  }
  if (param.scheme === 'hmac' && param.tolerance !== undefined && !param.timestamp)
    warnings.push({ path: '/verify/tolerance', message: 'is ignored without verify.timestamp' })
  return warnings
}
