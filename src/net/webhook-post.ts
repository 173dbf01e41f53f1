/**
 * A JSON message POSTed to an incoming-webhook URL whose path is its credential (Discord, Slack):
 * logs and errors show the origin only.
 */
import type { JsonObject } from '../engine/types.js'
import { type HttpResponse, sendHttpRequest } from './client.js'
import { parseTarget, type Target } from './target.js'

const TIMEOUT_MS = 15_000

/** The webhook URL as a target whose display hides the secret path. */
export function secretWebhookTarget(url: string): Target {
  const target = parseTarget(url)
  return { ...target, display: `${target.url.origin}/…` }
}

export function postWebhookJson(
  target: Target,
  body: JsonObject,
  options: { signal: AbortSignal; maxBodyBytes: number },
): Promise<HttpResponse> {
  return sendHttpRequest({
    method: 'POST',
    target,
    headers: new Headers({ 'content-type': 'application/json', 'user-agent': 'area' }),
    body: JSON.stringify(body),
    timeoutMs: TIMEOUT_MS,
    signal: options.signal,
    maxBodyBytes: options.maxBodyBytes,
  })
}
