/**
 * The `respond` param of webhook.received: the answer a sender that reads it gets (a Slack slash
 * command's reply, Twilio's TwiML), instead of `202 {hookLogId}`. Its body is a template of the
 * incoming event, rendered at ingest before the event is committed, under a budget of its own
 * (RESPOND_BUDGET); nothing waits for a reaction (docs/architecture.md, "Verifying webhooks").
 */
import { type Static, Type } from '@sinclair/typebox'
import type { WebhookResponse } from '../../engine/define.js'
import { describePattern } from '../../engine/schema-messages.js'
import { renderTemplates, templateBudget } from '../../engine/templates.js'
import type { JsonObject, JsonValue, Logger } from '../../engine/types.js'

/** What one answer may spend: a slow template must not hold the sender (Slack waits 3 s). */
export const RESPOND_BUDGET = { timeMs: 50, maxBytes: 64 * 1024 } as const

/**
 * Headers an answer may not set: the server frames the answer (length, encoding, connection) and
 * owns cookies and its identity header; a template must not be able to smuggle any of them.
 */
export const REFUSED_HEADERS = [
  'connection',
  'content-length',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'x-area-version',
] as const

// The names are letters and dashes: a dash needs no escape outside a class (nor may it have one, under /u).
const anyCase = (name: string) =>
  [...name].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('')
/** A header name (RFC 9110 token) that is not one of REFUSED_HEADERS, in any case. */
const SAFE_HEADER = `^(?!(?:${REFUSED_HEADERS.map(anyCase).join('|')})$)[A-Za-z0-9!#$%&'*+.^_\`|~-]{1,100}$`
describePattern(
  SAFE_HEADER,
  `must be an HTTP header name other than ${REFUSED_HEADERS.join(', ')} (the server sets those)`,
)
/** Visible ASCII, spaces and tabs: no line breaks that would start another header. */
const HEADER_VALUE = '^[\\t\\x20-\\x7e]{0,1000}$'
describePattern(HEADER_VALUE, 'must be one line of printable ASCII text (at most 1000 characters)')

export const respondParam = Type.Object(
  {
    status: Type.Optional(
      Type.Integer({
        minimum: 200,
        maximum: 299,
        description: 'The status (2xx: the event is accepted whatever it says); default 200',
      }),
    ),
    headers: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: 'object',
        propertyNames: { type: 'string', pattern: SAFE_HEADER },
        additionalProperties: { type: 'string', pattern: HEADER_VALUE },
        maxProperties: 20,
        description:
          'Headers of the answer, e.g. content-type: text/xml; default content type: text/plain for a text body, application/json for a mapping',
      }),
    ),
    body: Type.Optional(
      Type.Union([Type.String({ maxLength: 16_384 }), Type.Record(Type.String(), Type.Unknown())], {
        description: 'Text, or a mapping sent as JSON; templates read the incoming event as {{ trigger.… }}',
        examples: ['<Response><Message>Got {{ trigger.Body }}</Message></Response>'],
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Answer the sender synchronously, for senders that read the answer (Slack slash commands, Twilio); default 202 {"hookLogId": …}',
    examples: [
      {
        headers: { 'content-type': 'text/xml' },
        body: '<Response><Message>Got {{ trigger.Body }}</Message></Response>',
      },
    ],
  },
)

export type RespondParam = Static<typeof respondParam>

/** Where respond's templates are, for the spec's template check (eventTemplateParams). */
export const RESPOND_TEMPLATES = '/respond/body'

/**
 * The answer `respond` describes for `event`, or undefined (the default answer) when its
 * template fails: the event is accepted either way, and the log says why.
 */
export function renderResponse(
  respond: RespondParam,
  event: JsonObject,
  logger: Logger,
): WebhookResponse | undefined {
  const headers: Record<string, string> = { ...respond.headers }
  const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name)
  let text = ''
  if (respond.body !== undefined) {
    let rendered: JsonValue | undefined
    try {
      rendered = renderTemplates(
        respond.body as JsonValue,
        { trigger: event, reactions: {}, area: { name: '' } },
        templateBudget(RESPOND_BUDGET),
        '/respond/body',
      )
    } catch (error) {
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'webhook respond: the answer template failed; answered 202',
      )
      return undefined
    }
    if (typeof rendered === 'string') {
      text = rendered
      if (!has('content-type')) headers['content-type'] = 'text/plain; charset=utf-8'
    } else {
      text = JSON.stringify(rendered ?? null)
      if (!has('content-type')) headers['content-type'] = 'application/json; charset=utf-8'
    }
  }
  return { status: respond.status ?? 200, headers, text }
}
