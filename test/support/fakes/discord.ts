/**
 * A local Discord webhook endpoint (`POST /api/webhooks/{id}/{token}`): 204 without `wait`, 200
 * and the message object with `?wait=true`, Discord's JSON errors `{ message, code }` and its
 * 429 answer (`retry_after` in float seconds plus the X-RateLimit-* headers).
 */
import type { FakeAnswer, FakeRequest, FakeServer } from './fake-server.js'
import { startFakeServer } from './fake-server.js'

export interface FakeDiscord extends FakeServer {
  /** The webhook URL that works. */
  webhookUrl: string
  messages: Record<string, unknown>[]
  /** Queues the 429 Discord sends when the bucket is empty. */
  rateLimitNext(retryAfterSeconds: number): void
}

const WEBHOOK_ID = '1234567890123456789'
const WEBHOOK_TOKEN = 'a1b2c3-token_D4e5F6'
const CHANNEL_ID = '987654321098765432'

export async function startFakeDiscord(): Promise<FakeDiscord> {
  const messages: Record<string, unknown>[] = []
  let nextId = 1111111111111111111n

  function route(request: FakeRequest): FakeAnswer {
    const match = /^\/api\/webhooks\/(\d+)\/([^/]+)$/.exec(request.path)
    if (request.method !== 'POST' || !match)
      return { status: 404, body: { message: '404: Not Found', code: 0 } }
    if (match[1] !== WEBHOOK_ID) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } }
    if (match[2] !== WEBHOOK_TOKEN)
      return { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } }
    let body: Record<string, unknown>
    try {
      body = JSON.parse(request.body) as Record<string, unknown>
    } catch {
      return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } }
    }
    const content = typeof body.content === 'string' ? body.content : ''
    const embeds = Array.isArray(body.embeds) ? body.embeds : []
    if (content === '' && embeds.length === 0) {
      return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } }
    }
    if (content.length > 2000) {
      return {
        status: 400,
        body: {
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            content: {
              _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }],
            },
          },
        },
      }
    }
    const message = {
      id: String(nextId++),
      type: 0,
      content,
      channel_id: CHANNEL_ID,
      author: { id: WEBHOOK_ID, username: body.username ?? 'Captain Hook', avatar: null, bot: true },
      embeds,
      attachments: [],
      mentions: [],
      timestamp: new Date().toISOString(),
      webhook_id: WEBHOOK_ID,
    }
    messages.push({ ...message, avatar_url: body.avatar_url })
    const rate = {
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '4',
      'x-ratelimit-reset-after': '2.000',
      'x-ratelimit-bucket': 'abcd1234',
    }
    if (request.query.get('wait') === 'true') return { status: 200, headers: rate, body: message }
    return { status: 204, headers: rate }
  }

  const server = await startFakeServer(route)
  return Object.assign(server, {
    webhookUrl: `${server.url}/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`,
    messages,
    rateLimitNext(retryAfterSeconds: number) {
      server.queued.push({
        status: 429,
        headers: {
          'retry-after': String(Math.ceil(retryAfterSeconds)),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': retryAfterSeconds.toFixed(3),
          'x-ratelimit-bucket': 'abcd1234',
          'x-ratelimit-scope': 'user',
        },
        body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
      })
    },
  })
}
