import { Type } from '@sinclair/typebox'
import { defineReaction } from '../../../engine/define.js'
import { POSITIVE_DURATION_PATTERN, parseDuration } from '../../../engine/duration.js'
import { PermanentError } from '../../../engine/errors.js'
import { currentTraceparent } from '../../../engine/tracing.js'
import type { JsonObject, JsonValue } from '../../../engine/types.js'
import { bodyText, type HttpResponse, isJsonContentType, sendHttpRequest } from '../../../net/client.js'
import { statusError } from '../../../net/http-errors.js'
import { buildHeaders, DEFAULT_USER_AGENT, headersParam, urlParam } from '../../../net/request-params.js'
import { parseTarget, type Target } from '../../../net/target.js'
import { connectionAuth } from '../connection-auth.js'

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const
type Method = (typeof METHODS)[number]

const DEFAULT_TIMEOUT = '10s'
/** Enough for an API answer in later templates, small enough for execution logs. */
export const MAX_RESPONSE_BYTES = 64 * 1024

// Response headers worth templating on; others (Set-Cookie…) stay out of execution logs.
const KEPT_HEADERS = [
  'content-type',
  'content-length',
  'location',
  'etag',
  'last-modified',
  'date',
  'x-request-id',
]

const params = Type.Object(
  {
    method: Type.Optional(
      Type.Unsafe<Method>({
        type: 'string',
        enum: [...METHODS],
        description: 'HTTP method',
        default: 'POST',
        examples: ['POST', 'GET'],
      }),
    ),
    url: urlParam('The http:// or https:// URL to call; userinfo (user:pass@) is sent as Basic auth', [
      'https://example.com/hooks/deploy',
    ]),
    headers: headersParam,
    body: Type.Optional(
      Type.Unknown({
        description:
          'Request body: a string is sent as is; any other JSON value is sent as JSON (Content-Type application/json unless set), or as a form when Content-Type is application/x-www-form-urlencoded',
        examples: [{ text: 'New issue: {{ trigger.issue.title }}' }, 'plain text'],
      }),
    ),
    timeout: Type.Optional(
      Type.String({
        description: 'Give up (and retry later) when the whole exchange takes longer than this',
        pattern: POSITIVE_DURATION_PATTERN,
        default: DEFAULT_TIMEOUT,
        examples: ['10s', '1m'],
      }),
    ),
  },
  { additionalProperties: false },
)

export const request = defineReaction({
  id: 'request',
  name: 'Send an HTTP request',
  description:
    'Calls a URL with an Idempotency-Key header; 5xx, 408, 429 and network errors are retried, other 4xx fail',
  params,
  // Optional: a connection (bearer, basic, API key, client credentials) authenticates the call.
  requiresConnection: false,
  timeoutParam: 'timeout',
  output: Type.Object(
    {
      status: Type.Integer({ description: 'The HTTP status (below 400: others fail the reaction)' }),
      headers: Type.Record(Type.String(), Type.String(), {
        description: 'The answer’s content-type, location, etag and the like, lower-case names',
      }),
      body: Type.Unknown({ description: 'The JSON answer parsed, else its text (free-form)' }),
      truncated: Type.Boolean({ description: 'Whether the body was cut at 64 KiB (it is then text)' }),
    },
    { additionalProperties: false },
  ),
  exampleOutput: {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: { ok: true },
    truncated: false,
  },
  async run(ctx) {
    const method = ctx.params.method ?? 'POST'
    const target = parseTarget(ctx.params.url)
    const headers = buildHeaders(ctx.params.headers, target, {
      'idempotency-key': ctx.idempotencyKey,
      'user-agent': ctx.settings.userAgent ?? DEFAULT_USER_AGENT,
      // The reaction's span, when traces are on (docs/architecture.md, "Traces"); a header of the params wins.
      traceparent: currentTraceparent(),
    })
    const body = encodeBody(method, ctx.params.body as JsonValue | undefined, headers)
    const auth = connectionAuth(ctx.auth, target, {
      signal: ctx.signal,
      allowPrivate: ctx.settings.allowPrivate,
    })
    const send = (to: Target, withHeaders: Headers, originBoundHeaders: string[] = []) =>
      sendHttpRequest({
        method,
        target: to,
        headers: withHeaders,
        body,
        timeoutMs: parseDuration(ctx.params.timeout ?? DEFAULT_TIMEOUT) * 1000,
        signal: ctx.signal,
        allowPrivate: ctx.settings.allowPrivate,
        maxBodyBytes: MAX_RESPONSE_BYTES,
        originBoundHeaders,
      })
    try {
      const response = auth ? await auth.send(target, headers, send) : await send(target, headers)
      const text = bodyText(response)
      if (response.status >= 400) throw statusError(method, target.display, { ...response, text })
      ctx.logger.debug({ status: response.status, url: target.display }, 'http request answered')
      const output: JsonObject = {
        status: response.status,
        headers: keptHeaders(response.headers),
        body: decodeBody(response, text),
        truncated: response.truncated,
      }
      // A server that echoes the credential does not get it into the execution log.
      return auth ? auth.mask(output) : output
    } catch (error) {
      throw auth ? auth.maskError(error) : error
    }
  },
})

function encodeBody(method: Method, body: JsonValue | undefined, headers: Headers): string | undefined {
  if (body === undefined) return undefined
  if (method === 'GET' || method === 'HEAD') {
    throw new PermanentError(`a ${method} request cannot have a body: remove "body" or use POST`)
  }
  if (typeof body === 'string') return body
  const type = headers.get('content-type')?.toLowerCase()
  if (type === undefined) {
    headers.set('content-type', 'application/json')
  } else if (type.startsWith('application/x-www-form-urlencoded') && isObject(body)) {
    return formEncode(body)
  }
  return JSON.stringify(body)
}

function formEncode(body: JsonObject): string {
  const form = new URLSearchParams()
  for (const [key, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      form.append(key, typeof item === 'string' ? item : JSON.stringify(item))
    }
  }
  return form.toString()
}

function decodeBody(response: HttpResponse, text: string): JsonValue {
  if (response.truncated || text === '' || !isJsonContentType(response.headers)) return text
  try {
    return JSON.parse(text) as JsonValue
  } catch {
    return text
  }
}

function keptHeaders(headers: Headers): JsonObject {
  const kept: JsonObject = {}
  for (const name of KEPT_HEADERS) {
    const value = headers.get(name)
    if (value !== null) kept[name] = value
  }
  return kept
}

function isObject(value: JsonValue): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
