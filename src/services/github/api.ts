/**
 * Calls to the GitHub REST API: base URL from the `apiUrl` setting (GitHub Enterprise, tests),
 * the connection's token as a Bearer credential, and GitHub's errors classified for the worker.
 */

import { type AreaError, PermanentError, RetryableError } from '../../engine/errors.js'
import type { Credentials } from '../../engine/types.js'
import { bodyText, type HttpResponse, sendHttpRequest } from '../../net/client.js'
import { isRetryableStatus, parseRetryAfter } from '../../net/http-errors.js'
import { parseTarget } from '../../net/target.js'

export const DEFAULT_API_URL = 'https://api.github.com'
const TIMEOUT_MS = 30_000
/** A page of 100 stargazers or releases stays well below this. */
const MAX_BODY_BYTES = 4 * 1024 * 1024
const API_VERSION = '2022-11-28'

export interface GitHubRequest {
  method: 'GET' | 'POST'
  /** Path below the API base, e.g. `/repos/octo/app/issues`. */
  path: string
  query?: Record<string, string>
  accept?: string
  etag?: string
  body?: unknown
  auth: Credentials | undefined
  apiUrl: string | undefined
  signal: AbortSignal
}

export interface GitHubResponse {
  status: number
  headers: Headers
  /** Parsed JSON, or undefined for 304 and empty bodies. */
  json: unknown
}

export async function callGitHub(request: GitHubRequest): Promise<GitHubResponse> {
  const base = (request.apiUrl || DEFAULT_API_URL).replace(/\/+$/, '')
  const target = parseTarget(`${base}${request.path}`)
  for (const [name, value] of Object.entries(request.query ?? {})) target.url.searchParams.set(name, value)
  assertUnderBase(base, target.url, request.path)
  const headers = new Headers({
    accept: request.accept ?? 'application/vnd.github+json',
    authorization: `Bearer ${tokenOf(request.auth)}`,
    'user-agent': 'area',
    'x-github-api-version': API_VERSION,
  })
  if (request.etag) headers.set('if-none-match', request.etag)
  let body: string | undefined
  if (request.body !== undefined) {
    body = JSON.stringify(request.body)
    headers.set('content-type', 'application/json')
  }
  const response = await sendHttpRequest({
    method: request.method,
    target,
    headers,
    body,
    timeoutMs: TIMEOUT_MS,
    signal: request.signal,
    maxBodyBytes: MAX_BODY_BYTES,
  })
  const what = `${request.method} ${request.path}`
  if (response.status === 304) return { status: 304, headers: response.headers, json: undefined }
  if (response.status >= 400) throw gitHubError(what, response)
  const text = bodyText(response)
  if (text === '') return { status: response.status, headers: response.headers, json: undefined }
  try {
    return { status: response.status, headers: response.headers, json: JSON.parse(text) }
  } catch {
    throw new RetryableError(`GitHub ${what} answered ${response.status} with a body that is not JSON`)
  }
}

/**
 * The token goes only to the configured API: a path that a param turned into `..` (or an
 * absolute URL) would be resolved by the URL parser to somewhere else, so the built URL must
 * keep the base's origin and stay below its path.
 */
export function assertUnderBase(base: string, url: URL, path: string): void {
  const root = new URL(`${base}/`)
  if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) {
    throw new PermanentError(
      `refused to call GitHub at ${JSON.stringify(path)}: it leads outside the API base ${base}; check the repo param (owner/name)`,
      { code: 'invalid_params' },
    )
  }
}

/** The token of a personal-token connection (`{ token }`) or an OAuth one (`{ accessToken }`). */
function tokenOf(auth: Credentials | undefined): string {
  const token = auth?.token ?? auth?.accessToken
  if (typeof token !== 'string' || token === '') {
    throw new PermanentError(
      'this GitHub action needs a connection holding a token: `area connections add github`',
      { code: 'connection_missing' },
    )
  }
  return token
}

/**
 * GitHub answers 403 both for a missing permission and for an exhausted rate limit; only the
 * rate-limit headers tell them apart. Secondary limits send `retry-after` instead.
 */
export function gitHubError(what: string, response: HttpResponse, now: number = Date.now()): AreaError {
  const message = gitHubMessage(bodyText(response))
  const { status, headers } = response
  const detail = `GitHub ${what} answered ${status}${message ? `: ${message}` : ''}`
  if (status === 401) {
    return new PermanentError(`the GitHub token is invalid or expired (${detail})`, { code: 'auth_failed' })
  }
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now)
  if (retryAfter !== undefined && (status === 403 || status === 429)) {
    return new RetryableError(detail, { retryAfterMs: retryAfter, code: 'rate_limited' })
  }
  if ((status === 403 || status === 429) && headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'))
    const retryAfterMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : undefined
    return new RetryableError(detail, { retryAfterMs, code: 'rate_limited' })
  }
  if (isRetryableStatus(status)) return new RetryableError(detail)
  return new PermanentError(detail)
}

function gitHubMessage(text: string): string {
  let body: { message?: unknown; errors?: unknown }
  try {
    body = JSON.parse(text) as { message?: unknown; errors?: unknown }
  } catch {
    return text.replace(/\s+/g, ' ').trim().slice(0, 200)
  }
  const message = typeof body.message === 'string' ? body.message : ''
  const errors = Array.isArray(body.errors) ? body.errors.map(describeError).filter((e) => e !== '') : []
  return errors.length ? `${message} (${errors.join('; ')})` : message
}

/** One entry of a 422's `errors`: a string, `{ message }`, or `{ resource, field, code, value }`. */
function describeError(error: unknown): string {
  if (typeof error === 'string') return error
  if (error === null || typeof error !== 'object') return ''
  const { message, field, code, value } = error as Record<string, unknown>
  if (typeof message === 'string') return message
  const parts = [typeof field === 'string' ? field : '', typeof code === 'string' ? code : ''].filter(Boolean)
  return `${parts.join(' ')}${value !== undefined ? ` ${JSON.stringify(value)}` : ''}`
}
