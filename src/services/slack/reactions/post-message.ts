import { Type } from '@sinclair/typebox'
import { defineReaction } from '../../../engine/define.js'
import { type AreaError, PermanentError, RetryableError } from '../../../engine/errors.js'
import type { JsonObject } from '../../../engine/types.js'
import { bodyText, type HttpResponse } from '../../../net/client.js'
import { isRetryableStatus, parseRetryAfter } from '../../../net/http-errors.js'
import { postWebhookJson, secretWebhookTarget, webhookUrlOf } from '../../../net/webhook-post.js'
import { slackCredentials } from '../credentials.js'

const MAX_BODY_BYTES = 16 * 1024

const params = Type.Object(
  {
    webhook_url: Type.Optional(
      Type.String({
        description:
          'The incoming-webhook URL of a Slack app (api.slack.com → Incoming Webhooks); it is the credential: give it here or through a connection (`connection:`, kind webhook_url), not both; store it with `area secrets set SLACK_WEBHOOK_URL` and write {{ secrets.SLACK_WEBHOOK_URL }}, or keep it in an environment variable',
        format: 'uri',
        pattern: '^[hH][tT][tT][pP][sS]?://',
        // Secret: stored sealed, shown as <secret:…> (docs/architecture.md, "Secret params").
        writeOnly: true,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${ENV_VAR} substitution
        examples: ['{{ secrets.SLACK_WEBHOOK_URL }}', '${SLACK_WEBHOOK_URL}'],
      }),
    ),
    text: Type.Optional(
      Type.String({
        description:
          'Message text (mrkdwn); with blocks it is the notification fallback. text or blocks is required',
        examples: ['New release {{ trigger.tag_name }}'],
      }),
    ),
    blocks: Type.Optional(
      Type.Array(Type.Record(Type.String(), Type.Unknown()), {
        maxItems: 50,
        description: 'Block Kit blocks',
        examples: [[{ type: 'section', text: { type: 'mrkdwn', text: '*{{ trigger.issue.title }}*' } }]],
      }),
    ),
  },
  { additionalProperties: false },
)

export const postMessage = defineReaction({
  id: 'post_message',
  name: 'Post a message',
  description:
    'Posts to the Slack channel bound to an incoming-webhook URL (the URL is the secret: the webhook_url param, or a connection of kind webhook_url holding it)',
  params,
  requiresConnection: false,
  connectionReplaces: 'webhook_url',
  // Incoming webhooks answer a bare "ok": there is no message id to pass on.
  output: Type.Object(
    { ok: Type.Literal(true, { description: 'Slack accepted the message' }) },
    { additionalProperties: false },
  ),
  exampleOutput: { ok: true },
  async run(ctx) {
    const { text, blocks } = ctx.params
    if (!text && !blocks?.length) throw new PermanentError('a Slack message needs text or blocks')
    const target = secretWebhookTarget(webhookUrlOf(slackCredentials, ctx.params.webhook_url, ctx.auth))
    const body: JsonObject = {}
    if (text) body.text = text
    if (blocks?.length) body.blocks = blocks as JsonObject[]
    const response = await postWebhookJson(target, body, { signal: ctx.signal, maxBodyBytes: MAX_BODY_BYTES })
    if (response.status >= 400) throw slackError(target.url.origin, response)
    return { ok: true }
  },
})

/** Slack answers plain-text error codes (invalid_payload, channel_not_found, …). */
export function slackError(origin: string, response: HttpResponse): AreaError {
  const code = bodyText(response).trim().slice(0, 100)
  const detail = `Slack webhook at ${origin} answered ${response.status}${code ? `: ${code}` : ''}`
  if (isRetryableStatus(response.status)) {
    return new RetryableError(detail, {
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      code: response.status === 429 ? 'rate_limited' : undefined,
    })
  }
  return new PermanentError(detail)
}
