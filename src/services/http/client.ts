/**
 * One HTTP exchange with a deadline and a size cap, on Node's fetch (undici, pooled keep-alive
 * connections). Transport failures become RetryableError; statuses are left to the caller.
 */
import { formatDuration } from '../../engine/duration.js'
import { RetryableError } from '../../engine/errors.js'
import type { Target } from './url.js'

export interface HttpRequest {
  method: string
  target: Target
  headers: Headers
  body?: string
  timeoutMs: number
  signal: AbortSignal
  /** Bytes of body kept; the rest is not read (the connection is dropped instead). */
  maxBodyBytes: number
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
    const response = await fetch(target.url, {
      method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      redirect: 'follow',
    })
    const { body, truncated } = await readCapped(response, request.maxBodyBytes)
    return { status: response.status, headers: response.headers, body, truncated }
  } catch (error) {
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

async function readCapped(response: Response, limit: number): Promise<{ body: Buffer; truncated: boolean }> {
  if (!response.body) return { body: Buffer.alloc(0), truncated: false }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { body: Buffer.concat(chunks, size), truncated: false }
    if (size + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - size))
      await reader.cancel().catch(() => {})
      return { body: Buffer.concat(chunks, limit), truncated: true }
    }
    chunks.push(value)
    size += value.byteLength
  }
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

// fetch reports every transport failure as "fetch failed"; the cause says what happened.
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
