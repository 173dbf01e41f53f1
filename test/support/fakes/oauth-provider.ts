/**
 * A local OAuth 2 provider, shaped like GitHub's OAuth app endpoints: `GET /login/oauth/authorize`
 * approves at once and redirects to the redirect_uri with a code and the state; `POST
 * /login/oauth/access_token` takes the authorization_code grant (client secret, redirect_uri and
 * PKCE S256 verified, each code once) and the refresh_token grant (refresh tokens rotate: each is
 * accepted once). Errors are RFC 6749's: `{"error":"invalid_grant"}` with 400, invalid_client 401.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface OAuthGrantRecord {
  grantType: string
  at: number
}

export interface FakeOAuthProvider {
  url: string
  authorizeUrl: string
  tokenUrl: string
  clientId: string
  clientSecret: string
  /** Lifetime given to access tokens, in seconds. */
  expiresIn: number
  /** Delay of token answers, to make concurrent refreshes overlap. */
  delayMs: number
  /** Every token endpoint call, in order. */
  grants: OAuthGrantRecord[]
  /** Access tokens issued, in order; `onAccessToken` hears each one (e.g. the fake GitHub). */
  accessTokens: string[]
  onAccessToken?: (token: string) => void
  /** Tokens as if a user had just authorized (no HTTP): seeds a connection for refresh tests. */
  issueTokens(): { access_token: string; refresh_token: string; expires_in: number }
  /** Makes every later refresh fail with invalid_grant (a revoked app, a used refresh token). */
  revokeRefreshTokens(): void
  /** Follows the authorize URL as a browser would: the callback URL the provider redirects to. */
  approve(authorizeUrl: string): Promise<string>
  close(): Promise<void>
}

interface PendingCode {
  clientId: string
  redirectUri: string
  challenge: string
  used: boolean
}

export async function startFakeOAuthProvider(
  options: { clientId?: string; clientSecret?: string; expiresIn?: number } = {},
): Promise<FakeOAuthProvider> {
  const codes = new Map<string, PendingCode>()
  const refreshTokens = new Set<string>()
  const token = (prefix: string) => `${prefix}_${randomBytes(18).toString('base64url')}`

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', provider.url)
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        const q = url.searchParams
        if (q.get('client_id') !== provider.clientId) return json(400, { error: 'invalid_client' })
        if (
          q.get('response_type') !== 'code' ||
          q.get('code_challenge_method') !== 'S256' ||
          !q.get('code_challenge')
        ) {
          return json(400, { error: 'invalid_request', error_description: 'PKCE S256 is required' })
        }
        const code = token('code')
        codes.set(code, {
          clientId: q.get('client_id') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
          challenge: q.get('code_challenge') ?? '',
          used: false,
        })
        const back = new URL(q.get('redirect_uri') ?? '')
        back.searchParams.set('code', code)
        back.searchParams.set('state', q.get('state') ?? '')
        res.writeHead(302, { location: back.toString() })
        return res.end()
      }
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
        const grantType = form.get('grant_type') ?? ''
        provider.grants.push({ grantType, at: Date.now() })
        if (provider.delayMs > 0) await new Promise((r) => setTimeout(r, provider.delayMs))
        if (
          form.get('client_id') !== provider.clientId ||
          form.get('client_secret') !== provider.clientSecret
        ) {
          return json(401, { error: 'invalid_client' })
        }
        if (grantType === 'authorization_code') {
          const pending = codes.get(form.get('code') ?? '')
          const verifier = form.get('code_verifier') ?? ''
          const challenge = createHash('sha256').update(verifier).digest('base64url')
          if (
            !pending ||
            pending.used ||
            pending.redirectUri !== form.get('redirect_uri') ||
            pending.challenge !== challenge
          ) {
            return json(400, { error: 'invalid_grant' })
          }
          pending.used = true
          return json(200, issue())
        }
        if (grantType === 'refresh_token') {
          const given = form.get('refresh_token') ?? ''
          if (!refreshTokens.delete(given)) return json(400, { error: 'invalid_grant' })
          return json(200, issue())
        }
        return json(400, { error: 'unsupported_grant_type' })
      }
      json(404, { error: 'not_found' })
    })
  })

  const issue = () => {
    const accessToken = token('gho')
    const refreshToken = token('ghr')
    refreshTokens.add(refreshToken)
    provider.accessTokens.push(accessToken)
    provider.onAccessToken?.(accessToken)
    return {
      access_token: accessToken,
      token_type: 'bearer',
      scope: 'repo',
      expires_in: provider.expiresIn,
      refresh_token: refreshToken,
      refresh_token_expires_in: 15_897_600,
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider: FakeOAuthProvider = {
    url,
    authorizeUrl: `${url}/login/oauth/authorize`,
    tokenUrl: `${url}/login/oauth/access_token`,
    clientId: options.clientId ?? 'Iv1.test-client',
    clientSecret: options.clientSecret ?? 'test-client-secret',
    expiresIn: options.expiresIn ?? 28_800,
    delayMs: 0,
    grants: [],
    accessTokens: [],
    revokeRefreshTokens: () => refreshTokens.clear(),
    issueTokens: () => issue(),
    async approve(authorizeUrl) {
      const response = await fetch(authorizeUrl, { redirect: 'manual' })
      const location = response.headers.get('location')
      if (response.status !== 302 || !location) {
        throw new Error(`the fake provider refused to authorize: ${response.status} ${await response.text()}`)
      }
      return location
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
  return provider
}
