import { Type } from '@sinclair/typebox'
import { defineReaction } from '../../../engine/define.js'
import { type AreaError, PermanentError, RetryableError } from '../../../engine/errors.js'
import type { JsonObject } from '../../../engine/types.js'
import { bodyText, type HttpResponse } from '../../../net/client.js'
import { isRetryableStatus, parseRetryAfter } from '../../../net/http-errors.js'
import { postWebhookJson, secretWebhookTarget, webhookUrlOf } from '../../../net/webhook-post.js'
import { discordCredentials } from '../credentials.js'

const MAX_BODY_BYTES = 64 * 1024

const params = Type.Object(
  {
    webhook_url: Type.Optional(
      Type.String({
        description:
          'The channel webhook URL (Server Settings → Integrations → Webhooks); it is the credential: give it here or through a connection (`connection:`, kind webhook_url), not both; store it with `area secrets set DISCORD_WEBHOOK_URL` and write {{ secrets.DISCORD_WEBHOOK_URL }}, or keep it in an environment variable',
        format: 'uri',
        pattern: '^[hH][tT][tT][pP][sS]?://',
        // Secret: stored sealed, shown as <secret:…> (docs/architecture.md, "Secret params").
        writeOnly: true,
        examples: [
          '{{ secrets.DISCORD_WEBHOOK_URL }}',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${ENV_VAR} substitution
          '${DISCORD_WEBHOOK_URL}',
          'https://discord.com/api/webhooks/123/abc',
        ],
      }),
    ),
    content: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: 'Message text (up to 2000 characters); content or embeds is required',
        examples: ['New issue #{{ trigger.issue.number }}: {{ trigger.issue.title }}'],
      }),
    ),
    username: Type.Optional(
      Type.String({ maxLength: 80, description: 'Overrides the webhook’s name', examples: ['area'] }),
    ),
    avatar_url: Type.Optional(
      Type.String({
        format: 'uri',
        description: 'Overrides the webhook’s avatar',
        examples: ['https://example.com/bot.png'],
      }),
    ),
    embeds: Type.Optional(
      Type.Array(Type.Record(Type.String(), Type.Unknown()), {
        maxItems: 10,
        description: 'Up to 10 Discord embed objects (title, description, url, color, fields…)',
        examples: [
          [{ title: '{{ trigger.issue.title }}', url: '{{ trigger.issue.html_url }}', color: 5814783 }],
        ],
      }),
    ),
  },
  { additionalProperties: false },
)

export const sendMessage = defineReaction({
  id: 'send_message',
  name: 'Send a message',
  description:
    'Posts to a Discord channel through its webhook URL (the URL is the secret: the webhook_url param, or a connection of kind webhook_url holding it); the output is the created message (id, channel_id, content)',
  params,
  requiresConnection: false,
  connectionReplaces: 'webhook_url',
  // Discord answers the created message; `sent` alone when its answer was not JSON.
  output: Type.Object(
    {
      id: Type.Optional(
        Type.Union([Type.String(), Type.Null()], { description: 'The message id (a snowflake)' }),
      ),
      channel_id: Type.Optional(
        Type.Union([Type.String(), Type.Null()], { description: 'The channel it was posted to' }),
      ),
      content: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The text as posted' })),
      sent: Type.Optional(Type.Literal(true, { description: 'Present when Discord answered no message' })),
    },
    { additionalProperties: false },
  ),
  exampleOutput: { id: '1234567890123456789', channel_id: '987654321098765432', content: 'Deploy finished' },
  async run(ctx) {
    const { content, embeds, username, avatar_url } = ctx.params
    if (!content && !embeds?.length) throw new PermanentError('a Discord message needs content or embeds')
    const target = secretWebhookTarget(webhookUrlOf(discordCredentials, ctx.params.webhook_url, ctx.auth))
    // wait=true makes Discord answer with the message instead of 204, for later reactions.
    target.url.searchParams.set('wait', 'true')
    const body: JsonObject = {}
    if (content) body.content = content
    if (embeds?.length) body.embeds = embeds as JsonObject[]
    if (username) body.username = username
    if (avatar_url) body.avatar_url = avatar_url
    const response = await postWebhookJson(target, body, { signal: ctx.signal, maxBodyBytes: MAX_BODY_BYTES })
    // The path holds the webhook token: errors show the origin only.
    if (response.status >= 400) throw discordError(target.url.origin, response)
    const message = parseJson(bodyText(response))
    if (!message) return { sent: true } as JsonObject
    return {
      id: message.id ?? null,
      channel_id: message.channel_id ?? null,
      content: message.content ?? null,
    }
  },
})

/** Discord's errors are JSON `{ message, code }`; 429 adds `retry_after` in (float) seconds. */
export function discordError(origin: string, response: HttpResponse): AreaError {
  const body = parseJson(bodyText(response))
  const message = typeof body?.message === 'string' ? body.message : ''
  const code = typeof body?.code === 'number' ? ` (code ${body.code})` : ''
  const detail = `Discord webhook at ${origin} answered ${response.status}${message ? `: ${message}` : ''}${code}`
  if (response.status === 429) {
    return new RetryableError(detail, {
      retryAfterMs: discordRetryAfter(response, body),
      code: 'rate_limited',
    })
  }
  if (isRetryableStatus(response.status)) {
    return new RetryableError(detail, { retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) })
  }
  return new PermanentError(detail)
}

function discordRetryAfter(response: HttpResponse, body: JsonObject | undefined): number | undefined {
  const seconds = [body?.retry_after, response.headers.get('x-ratelimit-reset-after')]
    .map((v) => (typeof v === 'string' ? Number.parseFloat(v) : v))
    .find((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0)
  if (seconds !== undefined) return Math.ceil(seconds * 1000)
  return parseRetryAfter(response.headers.get('retry-after'))
}

function parseJson(text: string): JsonObject | undefined {
  try {
    const value = JSON.parse(text) as unknown
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined
  } catch {
    return undefined
  }
}
