/**
 * Calls to a provider's token endpoint (RFC 6749 §4.1.3 and §6): the code exchange with its PKCE
 * verifier, and the refresh. Answers become OAuthTokens, or an OAuthError that says whether a
 * retry may help: `invalid_grant` and other 4xx answers will not get better; network failures and
 * 5xx answers may. Token values never appear in errors or logs. The call goes through the
 * address guard like every outgoing call (README, "Network and credentials"): a provider on a
 * private network needs the operator's AREA_HTTP_ALLOW_PRIVATE.
 */
import { AreaError, errorMessage, PermanentError } from '../../../engine/errors.js'
import { bodyText, type HttpResponse, sendHttpRequest } from '../../../net/client.js'
import { parseTarget } from '../../../net/target.js'
import type { OAuthClientConfig } from './client.js'

const timeoutMs = 15_000

export interface OAuthTokens {
  accessToken: string
  refreshToken: string | undefined
  tokenType: string
  scope: string | undefined
  /** Absent when the provider gives no `expires_in` (a token that does not expire). */
  expiresAt: Date | undefined
}

export class OAuthError extends AreaError {
  readonly retryable: boolean
  readonly status: number | undefined
  constructor(
    code: string,
    message: string,
    options: { retryable: boolean; status?: number; cause?: unknown },
  ) {
    super(code, message, { cause: options.cause })
    this.retryable = options.retryable
    this.status = options.status
  }
}

export function exchangeCode(
  config: OAuthClientConfig,
  input: { code: string; verifier: string; redirectUri: string },
  now: () => number = Date.now,
): Promise<OAuthTokens> {
  return callTokenEndpoint(
    config,
    {
      grant_type: 'authorization_code',
      code: input.code,
      code_verifier: input.verifier,
      redirect_uri: input.redirectUri,
    },
    now,
  )
}

export function refreshTokens(
  config: OAuthClientConfig,
  refreshToken: string,
  now: () => number = Date.now,
): Promise<OAuthTokens> {
  return callTokenEndpoint(config, { grant_type: 'refresh_token', refresh_token: refreshToken }, now)
}

async function callTokenEndpoint(
  config: OAuthClientConfig,
  grant: Record<string, string>,
  now: () => number,
): Promise<OAuthTokens> {
  const what = `the ${config.service} token endpoint (${new URL(config.tokenUrl).origin})`
  let response: HttpResponse
  try {
    response = await sendHttpRequest({
      method: 'POST',
      target: parseTarget(config.tokenUrl),
      headers: new Headers({
        // GitHub answers form-encoded unless asked for JSON.
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      }),
      body: new URLSearchParams({
        ...grant,
        client_id: config.clientId,
        client_secret: config.clientSecret,
      }).toString(),
      timeoutMs,
      signal: new AbortController().signal,
      maxBodyBytes: 256 * 1024,
    })
  } catch (error) {
    // A refused address is the operator's setting to change, not a moment's outage.
    throw new OAuthError('oauth_unreachable', `${what} could not be reached: ${errorMessage(error)}`, {
      retryable: !(error instanceof PermanentError),
      cause: error,
    })
  }
  const text = bodyText(response)
  const ok = response.status >= 200 && response.status < 300
  let body: Record<string, unknown> = {}
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    body = Object.fromEntries(new URLSearchParams(text))
  }
  // GitHub reports a bad code with 200 and an `error` field; others use 400 as RFC 6749 says.
  if (!ok || typeof body.error === 'string') {
    const error = typeof body.error === 'string' ? body.error : `http_${response.status}`
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : ''
    throw new OAuthError(error, `${what} refused the ${grant.grant_type} grant (${error}${description})`, {
      retryable: response.status >= 500 || response.status === 429,
      status: response.status,
    })
  }
  const accessToken = body.access_token
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new OAuthError('oauth_bad_answer', `${what} answered without an access_token`, {
      retryable: false,
      status: response.status,
    })
  }
  const expiresIn = Number(body.expires_in)
  return {
    accessToken,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    tokenType: typeof body.token_type === 'string' ? body.token_type : 'bearer',
    scope: typeof body.scope === 'string' ? body.scope : undefined,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now() + expiresIn * 1000) : undefined,
  }
}
