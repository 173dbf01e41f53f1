/**
 * The `verify` param of webhook.received: which scheme checks a delivery, and its settings.
 * One object rather than a union per scheme, so the secret inside it is found and sealed like
 * any secret param (docs/architecture.md, "Secret params") and errors name the field at fault.
 */
import { type Static, Type } from '@sinclair/typebox'
import { describePattern } from '../../../engine/schema-messages.js'
import { DEFAULT_SIGNED_FORMAT } from './hmac.js'

export const schemes = [
  'standard',
  'hmac',
  'token',
  'none',
  'stripe',
  'github',
  'gitlab',
  'slack',
  'shopify',
  'twilio',
] as const
export type Scheme = (typeof schemes)[number]

/** An HTTP header name (RFC 9110 token characters). */
export const HEADER_NAME = "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$"
describePattern(HEADER_NAME, 'must be an HTTP header name such as X-Signature')

/** `{body}` once and `{timestamp}` at least once, e.g. `{timestamp}.{body}` or `v0:{timestamp}:{body}`. */
const SIGNED_FORMAT =
  '^(?=[\\s\\S]*\\{timestamp\\})(?![\\s\\S]*\\{body\\}[\\s\\S]*\\{body\\})(?=[\\s\\S]*\\{body\\})[\\s\\S]{1,200}$'
describePattern(
  SIGNED_FORMAT,
  'must hold {timestamp} and {body} once each, e.g. {timestamp}.{body} or v0:{timestamp}:{body}',
)

const headerName = (description: string) => Type.String({ pattern: HEADER_NAME, description })

export const verifyParam = Type.Object(
  {
    scheme: Type.Union(
      schemes.map((s) => Type.Literal(s)),
      {
        description:
          'standard (Standard Webhooks, the default without verify), hmac, token, none (anyone may post), or a sender preset: stripe, github, gitlab, slack, shopify, twilio',
      },
    ),
    secret: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        // Secret: stored sealed, shown as <secret:…> (docs/architecture.md, "Secret params").
        writeOnly: true,
        description:
          "The sender's signing secret or token (Stripe's whsec_…, Slack's signing secret, Shopify's client secret, Twilio's auth token); default: the AREA's generated secret. Keep it in an environment variable",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${ENV_VAR} substitution
        examples: ['${STRIPE_WEBHOOK_SECRET}'],
      }),
    ),
    header: Type.Optional(
      headerName(
        'hmac: the header holding the signature (required); token: the header holding the token (default Authorization)',
      ),
    ),
    query: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'token: the query parameter holding the token, instead of a header',
      }),
    ),
    prefix: Type.Optional(
      Type.String({
        maxLength: 100,
        description:
          'hmac: text before the signature, e.g. sha256=; token: text before the token (default "Bearer " for Authorization)',
      }),
    ),
    algorithm: Type.Optional(
      Type.Union([Type.Literal('sha1'), Type.Literal('sha256'), Type.Literal('sha512')], {
        description: 'hmac: the hash (default sha256)',
      }),
    ),
    encoding: Type.Optional(
      Type.Union([Type.Literal('hex'), Type.Literal('base64')], {
        description: 'hmac: how the signature is written (default hex)',
      }),
    ),
    timestamp: Type.Optional(
      Type.Object(
        {
          header: headerName('The header holding the signing time, in unix seconds'),
          format: Type.Optional(
            Type.String({
              pattern: SIGNED_FORMAT,
              description: `What is signed (default ${DEFAULT_SIGNED_FORMAT})`,
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'hmac: sign the timestamp with the body, and refuse deliveries older or newer than tolerance',
        },
      ),
    ),
    tolerance: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description:
          'Seconds a signing timestamp may be away from now, either way (default 300): hmac with timestamp, stripe, slack',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'How deliveries are authenticated; without it, Standard Webhooks with the AREA’s generated secret',
    // The one setting a scheme cannot go without (a union per scheme would hide the secret).
    allOf: [
      {
        if: { properties: { scheme: { const: 'hmac' } }, required: ['scheme'] },
        // `properties` names it here too: Ajv's strict mode wants a required key defined beside it.
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
        then: { properties: { header: { type: 'string' } }, required: ['header'] },
      },
    ],
    examples: [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${ENV_VAR} substitution
      { scheme: 'stripe', secret: '${STRIPE_WEBHOOK_SECRET}' },
      { scheme: 'hmac', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
    ],
  },
)

export type VerifyParam = Static<typeof verifyParam>
