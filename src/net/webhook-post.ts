/**
 * A JSON message POSTed to an incoming-webhook URL whose path is its credential (Discord, Slack):
 * logs and errors show the origin only.
 */
import { Type } from '@sinclair/typebox'
import { accept, defineCredentials, parseAuth, refuse } from '../engine/credentials.js'
import { PermanentError } from '../engine/errors.js'
import type { Credentials, JsonObject } from '../engine/types.js'
import { type HttpResponse, sendHttpRequest } from './client.js'
import { parseTarget, type Target } from './target.js'

/**
 * A connection of kind `webhook_url` holds an incoming-webhook URL (Discord's, Slack's), so an
 * AREA names the connection instead of carrying the URL as a param.
 */
export function webhookUrlCredentials(what: string) {
  return defineCredentials({
    kind: 'webhook_url',
    fields: Type.Object(
      {
        url: Type.String({
          minLength: 1,
          maxLength: 2048,
          pattern: '^[hH][tT][tT][pP][sS]?://',
          writeOnly: true,
          description: `The ${what} URL: it is the credential`,
        }),
      },
      { additionalProperties: false },
    ),
    validate: ({ url }) => {
      const text = typeof url === 'string' ? url.trim() : ''
      return /^https?:\/\//i.test(text) && URL.canParse(text)
        ? accept({ url: text })
        : refuse('/url', 'must be an absolute http:// or https:// URL')
    },
  })
}

/**
 * The webhook URL of a run: the `webhook_url` param or the connection's, exactly one of them
 * (`area validate` refuses both or neither: `connectionReplaces` in src/engine/define.ts).
 */
export function webhookUrlOf(
  declaration: ReturnType<typeof webhookUrlCredentials>,
  param: string | undefined,
  auth: Credentials | undefined,
): string {
  if (param !== undefined && auth !== undefined) {
    throw new PermanentError('give webhook_url or a connection, not both', { code: 'invalid_params' })
  }
  if (param !== undefined) return param
  return parseAuth(declaration, auth, 'give webhook_url, or a connection holding the webhook URL').url
}

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
