/**
 * OAuth 2 client credentials (RFC 6749 §4.4) for `oauth2_client` connections: the worker asks
 * the token endpoint for an access token, keeps it in memory until a little before it expires
 * (per process: a token is cheap to get again, and never stored), and drops it when the API
 * answers 401 so the next request gets a new one. The client authenticates with HTTP Basic
 * (§2.3.1, which every server must support). Errors name the endpoint's origin, never a secret.
 */
import { createHash } from 'node:crypto'
import { PermanentError, RetryableError } from '../../engine/errors.js'
import { bodyText, sendHttpRequest } from '../../net/client.js'
import { isRetryableStatus, parseRetryAfter } from '../../net/http-errors.js'
import { parseTarget } from '../../net/target.js'

export interface ClientCredentialsConfig {
  tokenUrl: string
  clientId: string
  clientSecret: string
  scopes?: string | undefined
}

interface CachedToken {
  accessToken: string
  /** Absent when the server gave no expires_in: kept until a 401. */
  expiresAt: number | undefined
}

/** Tokens are renewed this long before they expire, so one does not run out mid-request. */
const EXPIRY_MARGIN_MS = 30_000
const TIMEOUT_MS = 15_000
/** Bounds the cache: entries are per connection configuration, and few. */
const MAX_CACHED = 1000

const cache = new Map<string, CachedToken>()

/** The cache key: a hash, so the map holds no client secret in the clear. */
function keyOf(config: ClientCredentialsConfig): string {
  return createHash('sha256')
    .update(JSON.stringify([config.tokenUrl, config.clientId, config.clientSecret, config.scopes ?? '']))
    .digest('hex')
}

export async function clientCredentialsToken(
  config: ClientCredentialsConfig,
  options: { signal: AbortSignal; allowPrivate: string | undefined; now?: () => number },
): Promise<string> {
  const now = options.now ?? Date.now
  const key = keyOf(config)
  const cached = cache.get(key)
  if (cached && (cached.expiresAt === undefined || cached.expiresAt - EXPIRY_MARGIN_MS > now())) {
    return cached.accessToken
  }
  const token = await fetchToken(config, options.signal, options.allowPrivate, now)
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string)
  cache.set(key, token)
  return token.accessToken
}

/** After a 401: the cached token is not accepted any more. */
export function forgetClientCredentialsToken(config: ClientCredentialsConfig): void {
  cache.delete(keyOf(config))
}

async function fetchToken(
  config: ClientCredentialsConfig,
  signal: AbortSignal,
  allowPrivate: string | undefined,
  now: () => number,
): Promise<CachedToken> {
  const target = parseTarget(config.tokenUrl)
  const what = `the token endpoint ${target.url.origin}`
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (config.scopes?.trim()) form.set('scope', config.scopes.trim().split(/\s+/).join(' '))
  // RFC 6749 §2.3.1: both parts form-encoded before Basic.
  const basic = Buffer.from(
    `${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`,
  ).toString('base64')
  const response = await sendHttpRequest({
    method: 'POST',
    target,
    headers: new Headers({
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${basic}`,
      'user-agent': 'area',
    }),
    body: form.toString(),
    timeoutMs: TIMEOUT_MS,
    signal,
    maxBodyBytes: 64 * 1024,
    ...(allowPrivate === undefined ? {} : { allowPrivate }),
  })
  const text = bodyText(response)
  let body: Record<string, unknown> = {}
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    body = Object.fromEntries(new URLSearchParams(text))
  }
  if (response.status >= 400 || typeof body.error === 'string') {
    const code = typeof body.error === 'string' ? body.error : `http_${response.status}`
    const message = `${what} refused the client_credentials grant (${response.status} ${code}): check the connection's client id, secret and scopes (area connections update)`
    if (isRetryableStatus(response.status)) {
      throw new RetryableError(message, {
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      })
    }
    throw new PermanentError(message, { code: 'connection_refused' })
  }
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new PermanentError(`${what} answered without an access_token`, { code: 'connection_refused' })
  }
  const expiresIn = Number(body.expires_in)
  return {
    accessToken: body.access_token,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now() + expiresIn * 1000 : undefined,
  }
}
