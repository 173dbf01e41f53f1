import { Type } from '@sinclair/typebox'
import { getProperty } from 'dot-prop'
import { canonicalJson } from '../../../engine/canonical-json.js'
import { defineAction, type TriggerResult, type WebhookContext } from '../../../engine/define.js'
import type { JsonObject, JsonValue } from '../../../engine/types.js'
import { RESPOND_TEMPLATES, renderResponse, respondParam } from '../respond.js'
import { deliveryIdFor, signingSecret, verifierFor, verifyWarnings } from '../verify/index.js'
import { verifyParam } from '../verify/params.js'
import type { SignedRequest } from '../verify/signed-request.js'

const params = Type.Object(
  {
    filter: Type.Optional(
      Type.Object(
        {
          path: Type.String({
            minLength: 1,
            description: 'Dot path of a value in the payload, e.g. type or data.items[0].status',
          }),
          equals: Type.Optional(
            Type.Unknown({ description: 'Fire only when the value at path equals this JSON value' }),
          ),
          exists: Type.Optional(
            Type.Boolean({
              description: 'true: fire only when path is present; false: only when it is absent',
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'Fire only for some payloads; the others are recorded as skipped (and answered as accepted). With neither equals nor exists, the path must be present',
          examples: [
            { path: 'type', equals: 'invoice.paid' },
            { path: 'data.urgent', exists: true },
          ],
        },
      ),
    ),
    verify: Type.Optional(verifyParam),
    respond: Type.Optional(respondParam),
  },
  { additionalProperties: false },
)

export interface PayloadFilter {
  path: string
  equals?: unknown
  exists?: boolean
}

export const received = defineAction({
  id: 'received',
  name: 'Webhook received',
  description:
    'Fires on each POST to the AREA’s webhook URL that passes its verify scheme (default: Standard Webhooks with its whsec_ secret; hmac, token, none, or a Stripe, GitHub, GitLab, Slack, Shopify or Twilio preset); the event is the JSON or form body',
  params,
  requiresConnection: false,
  webhook: {
    verify(ctx) {
      const verify = ctx.params.verify
      return verifierFor(verify)(signingSecret(verify, ctx.secret), signedRequest(ctx))
    },
    receive(ctx) {
      const event = asEvent(ctx.request.body)
      const respond = ctx.params.respond
      const response = respond ? renderResponse(respond, event, ctx.logger) : undefined
      return {
        deliveryId: deliveryIdFor(ctx.params.verify, signedRequest(ctx)),
        events: [event],
        ...(response ? { response } : {}),
      }
    },
  },
  warnings: (p) => verifyWarnings(p.verify),
  eventTemplateParams: [RESPOND_TEMPLATES],
  trigger(ctx) {
    const filter = ctx.params.filter
    return filter ? applyFilter(filter, ctx.event) : { triggered: true, event: ctx.event }
  },
  // The body is the sender's: free-form. A body that is not an object arrives as `payload`.
  event: Type.Object(
    {
      payload: Type.Optional(
        Type.Unknown({ description: 'The body, when it is a JSON array or scalar rather than an object' }),
      ),
    },
    { additionalProperties: true, description: 'The JSON or form body as sent (free-form)' },
  ),
  exampleEvent: { type: 'invoice.paid', data: { id: 'in_42', amount: 1200 } },
})

/** Decides whether `event` passes `filter`; the reason says why not, for `area logs`. */
export function applyFilter(filter: PayloadFilter, event: JsonObject): TriggerResult {
  const value = getProperty(event, filter.path) as JsonValue | undefined
  const present = value !== undefined
  const exists = filter.exists ?? (filter.equals === undefined ? true : undefined)
  if (exists !== undefined && present !== exists) {
    return { triggered: false, reason: `filter: ${filter.path} is ${present ? 'present' : 'absent'}` }
  }
  if (filter.equals !== undefined && (!present || canonicalJson(value) !== canonicalJson(filter.equals))) {
    return {
      triggered: false,
      reason: `filter: ${filter.path} is ${present ? truncate(JSON.stringify(value)) : 'absent'}, not ${truncate(JSON.stringify(filter.equals))}`,
    }
  }
  return { triggered: true, event }
}

/** A JSON array or scalar body still makes an event: the engine's events are objects. */
function asEvent(body: unknown): JsonObject {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as JsonObject
  return { payload: (body ?? null) as JsonValue }
}

function signedRequest(ctx: WebhookContext<unknown>): SignedRequest {
  const { headers, rawBody, query, body, url } = ctx.request
  return { headers, rawBody, query, body, url, now: ctx.now }
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
