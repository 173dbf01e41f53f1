/**
 * A local Slack incoming webhook (`POST /services/T…/B…/…`): `ok` as text/html on success and
 * Slack's plain-text error codes otherwise (invalid_payload, no_text, no_service,
 * channel_not_found, channel_is_archived, rollup_error), 429 with Retry-After.
 */
import type { FakeAnswer, FakeRequest, FakeServer } from './fake-server.js'
import { startFakeServer } from './fake-server.js'

export interface FakeSlack extends FakeServer {
  webhookUrl: string
  /** A hook whose channel was deleted: answers 404 channel_not_found. */
  deletedChannelUrl: string
  messages: Record<string, unknown>[]
}

const HOOK = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'
const DELETED = '/services/T00000000/B11111111/YYYYYYYYYYYYYYYYYYYYYYYY'
const text = (status: number, body: string): FakeAnswer => ({
  status,
  headers: { 'content-type': 'text/html' },
  body,
})

export async function startFakeSlack(): Promise<FakeSlack> {
  const messages: Record<string, unknown>[] = []
  function route(request: FakeRequest): FakeAnswer {
    if (request.method !== 'POST') return text(404, 'no_service')
    if (request.path === DELETED) return text(404, 'channel_not_found')
    if (request.path !== HOOK) return text(404, 'no_service')
    let body: Record<string, unknown>
    try {
      body = JSON.parse(request.body) as Record<string, unknown>
    } catch {
      return text(400, 'invalid_payload')
    }
    const hasBlocks = Array.isArray(body.blocks) && body.blocks.length > 0
    if (!hasBlocks && (typeof body.text !== 'string' || body.text === '')) return text(400, 'no_text')
    if (
      hasBlocks &&
      (body.blocks as unknown[]).some((b) => typeof (b as { type?: unknown }).type !== 'string')
    ) {
      return text(400, 'invalid_blocks')
    }
    messages.push(body)
    return text(200, 'ok')
  }
  const server = await startFakeServer(route)
  return Object.assign(server, {
    webhookUrl: `${server.url}${HOOK}`,
    deletedChannelUrl: `${server.url}${DELETED}`,
    messages,
  })
}
