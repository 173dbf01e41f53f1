/**
 * One HTTP exchange with a deadline and a size cap, on undici's `request` (pooled keep-alive
 * connections; several times cheaper per call than fetch, which matters on the worker's hot
 * path). Transport failures become RetryableError; statuses are left to the caller. Every hop's
 * address goes through the address guard first, and every new connection again as it resolves
 * (dispatcher.ts), so services calling user-given URLs cannot reach link-local or
 * cloud-metadata addresses (see address-guard.ts).
 */
import type { Dispatcher } from 'undici'
import { formatDuration } from '../engine/duration.js'
import { AreaError, PermanentError, RetryableError } from '../engine/errors.js'
import {
  ALLOW_PRIVATE_ENV,
  assertAddressAllowed,
  type HostLookup,
  parseAddressPolicy,
  systemLookup,
} from './address-guard.js'
import { dispatcherFor } from './dispatcher.js'
import type { Target } from './target.js'

/** Browsers and undici stop at 20 as well. */
const MAX_REDIRECTS = 20
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
// Credentials meant for one origin must not follow a redirect to another (as fetch does).
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization']

export interface HttpRequest {
  method: string
  target: Target
  headers: Headers
  body?: string
  timeoutMs: number
  signal: AbortSignal
  /** Bytes of body kept; the rest is not read (the connection is dropped instead). */
  maxBodyBytes: number
  /**
   * `AREA_HTTP_ALLOW_PRIVATE` as resolved by the calling service's settings; when absent (services
   * that do not declare the setting) the process environment is read, so every caller is guarded.
   */
  allowPrivate?: string
  /** Headers beside Authorization and Cookie dropped on a redirect to another origin (an API key's). */
  originBoundHeaders?: readonly string[]
  /** Host resolution for the address check; tests inject one so no DNS or network is used. */
  lookup?: HostLookup
}

export interface HttpResponse {
  status: number
  headers: Headers
  body: Buffer
  truncated: boolean
}

export async function sendHttpRequest(request: HttpRequest): Promise<HttpResponse> {
  const { method, target, timeoutMs, signal } = request
  const what = `${method} ${target.display}`
  if (signal.aborted) throw new RetryableError(`${what} was not sent: the job was cancelled`)

  // A local controller rather than AbortSignal.any: listeners are removed as soon as the
  // exchange ends, so a long-lived worker signal does not accumulate them.
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const onAbort = () => controller.abort()
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const response = await requestGuarded(request, controller.signal)
    const { body, truncated } = await readCapped(response.body, request.maxBodyBytes)
    return { status: response.statusCode, headers: toHeaders(response.headers), body, truncated }
  } catch (error) {
    if (error instanceof AreaError) throw error
    if (timedOut) {
      throw new RetryableError(`${what} timed out after ${formatTimeout(timeoutMs)}`, { cause: error })
    }
    if (signal.aborted) throw new RetryableError(`${what} was cancelled`, { cause: error })
    throw new RetryableError(`${what} failed: ${transportReason(error)}`, { cause: error })
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
}

/** Redirects are followed by hand, so each hop's address is checked before connecting. */
async function requestGuarded(request: HttpRequest, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  const policy = parseAddressPolicy(request.allowPrivate ?? process.env[ALLOW_PRIVATE_ENV])
  const lookup = request.lookup ?? systemLookup
  const dispatcher = await dispatcherFor(policy, lookup)
  // Loaded here, not at the top: commands that send no request (validate) start without undici.
  const { request: undiciRequest } = await import('undici')
  let url = request.target.url
  let method = request.method
  let body = request.body
  const headers = new Headers(request.headers)
  // What fetch did for a string body: callers that send text without a type relied on it.
  if (body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'text/plain;charset=UTF-8')
  for (let hop = 0; ; hop++) {
    await assertAddressAllowed(url, policy, lookup)
    const response = await undiciRequest(url, {
      method: method as Dispatcher.HttpMethod,
      headers: Object.fromEntries(headers),
      body,
      signal,
      dispatcher,
    })
    const location = headerValue(response.headers.location)
    if (!REDIRECT_STATUSES.has(response.statusCode) || location === undefined) return response
    await response.body.dump().catch(() => {})
    if (hop >= MAX_REDIRECTS) {
      throw new PermanentError(
        `${request.method} ${request.target.display} redirected more than ${MAX_REDIRECTS} times`,
      )
    }
    const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined
    if (!next)
      throw new PermanentError(`${request.method} ${request.target.display} redirected to an invalid URL`)
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new PermanentError(
        `${request.method} ${request.target.display} redirected to a ${next.protocol} URL`,
      )
    }
    // The fetch standard's rewrite: 303, and 301/302 after POST, continue as a bodiless GET.
    if (
      response.statusCode === 303
        ? method !== 'HEAD'
        : [301, 302].includes(response.statusCode) && method === 'POST'
    ) {
      method = 'GET'
      body = undefined
      headers.delete('content-type')
      headers.delete('content-length')
    }
    if (next.origin !== url.origin) {
      for (const name of [...ORIGIN_BOUND_HEADERS, ...(request.originBoundHeaders ?? [])])
        headers.delete(name)
    }
    url = next
  }
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.byteLength > limit) {
      chunks.push(chunk.subarray(0, limit - size))
      // The rest is not read: the connection is dropped rather than drained.
      body.on('error', () => {})
      body.destroy()
      return { body: Buffer.concat(chunks, limit), truncated: true }
    }
    chunks.push(chunk)
    size += chunk.byteLength
  }
  return { body: Buffer.concat(chunks, size), truncated: false }
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/** The callers read headers through the standard Headers interface. */
function toHeaders(raw: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one)
  }
  return headers
}

/** UTF-8 text of a body; a multi-byte character cut by truncation is dropped, not mangled. */
export function bodyText(response: HttpResponse): string {
  return new TextDecoder('utf-8').decode(response.body, { stream: response.truncated })
}

export function isJsonContentType(headers: Headers): boolean {
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? ''
  return type === 'application/json' || type.endsWith('+json')
}

function formatTimeout(ms: number): string {
  return ms % 1000 === 0 ? formatDuration(ms / 1000) : `${ms}ms`
}

// Some transport failures wrap the system error as a cause; that cause says what happened.
function transportReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${code} ${cause.message}`
      : cause.message
  }
  return error instanceof Error ? error.message : String(error)
}
