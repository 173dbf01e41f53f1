/**
 * A local Supabase Auth (GoTrue behind Supabase's API gateway) on 127.0.0.1, speaking its wire
 * format as supabase-js meets it:
 * - every `/auth/v1/*` request needs the `apikey` header (or query parameter) to be the anon key,
 *   else the gateway's 401 `{ message, hint }`;
 * - `GET /auth/v1/user` with `Authorization: Bearer <access token>`: the GoTrue user JSON, or 401
 *   `no_authorization` without a bearer, 403 `bad_jwt` for a bad signature or an expired token,
 *   403 `session_not_found` once the session was signed out, 403 `user_not_found`;
 * - `POST /auth/v1/token?grant_type=password` `{ email, password }` and `grant_type=refresh_token`
 *   `{ refresh_token }`: the session JSON `{ access_token, token_type: 'bearer', expires_in,
 *   expires_at, refresh_token, user }`; 400 `invalid_credentials` / `email_not_confirmed` /
 *   `refresh_token_not_found` / `refresh_token_already_used` (refresh tokens rotate);
 * - `POST /auth/v1/logout?scope=local|global|others` with a bearer: 204, the session ends.
 * Errors follow GoTrue's two formats: `{ code: <status>, error_code, msg }`, or, when the request
 * says `X-Supabase-Api-Version: 2024-01-01` (supabase-js does), `{ code: <error code>, message }`
 * with that header echoed. Access tokens are HS256 JWTs with GoTrue's claims.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { type FakeAnswer, type FakeRequest, type FakeServer, startFakeServer } from './fake-server.js'

export interface FakeSupabaseUser {
  id: string
  email: string | null
  password: string
  emailConfirmed: boolean
  name?: string
}

export interface FakeSupabaseAuth {
  url: string
  anonKey: string
  /** Every request, in order (headers included, to check `apikey` and the bearer). */
  requests: FakeRequest[]
  /** Lifetime of the access tokens it issues, in seconds (default 3600). */
  expiresIn: number
  addUser(input: {
    email: string | null
    password?: string
    emailConfirmed?: boolean
    name?: string
  }): FakeSupabaseUser
  /** An access token for a new session of `user`, as a sign-in would give (no HTTP). */
  accessTokenFor(user: FakeSupabaseUser, options?: { expiresIn?: number }): string
  /** Ends the session of this access token (as a sign-out elsewhere would). */
  endSession(accessToken: string): void
  sessionEnded(accessToken: string): boolean
  /** Requests to one endpoint, e.g. `GET /auth/v1/user`. */
  calls(endpoint: string): FakeRequest[]
  close(): Promise<void>
}

interface Session {
  id: string
  userId: string
  ended: boolean
}

const apiVersion = '2024-01-01'

export async function startFakeSupabaseAuth(): Promise<FakeSupabaseAuth> {
  const secret = randomBytes(32)
  const anonKey = sign(secret, { iss: 'supabase', ref: 'fake', role: 'anon', iat: now(), exp: now() + 3600 })
  const users = new Map<string, FakeSupabaseUser>()
  const sessions = new Map<string, Session>()
  const refreshTokens = new Map<string, { sessionId: string; used: boolean }>()
  let baseUrl = ''

  const issuer = () => `${baseUrl}/auth/v1`

  const accessToken = (user: FakeSupabaseUser, session: Session, expiresIn: number) => {
    const iat = now()
    return sign(secret, {
      iss: issuer(),
      sub: user.id,
      aud: 'authenticated',
      exp: iat + expiresIn,
      iat,
      email: user.email ?? '',
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: userMetadata(user),
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: iat }],
      session_id: session.id,
      is_anonymous: false,
    })
  }

  const newSession = (user: FakeSupabaseUser, expiresIn: number) => {
    const session: Session = { id: randomUUID(), userId: user.id, ended: false }
    sessions.set(session.id, session)
    return sessionJson(user, session, expiresIn)
  }

  const sessionJson = (user: FakeSupabaseUser, session: Session, expiresIn: number) => {
    const refreshToken = randomBytes(9).toString('base64url')
    refreshTokens.set(refreshToken, { sessionId: session.id, used: false })
    return {
      access_token: accessToken(user, session, expiresIn),
      token_type: 'bearer',
      expires_in: expiresIn,
      expires_at: now() + expiresIn,
      refresh_token: refreshToken,
      user: userJson(user),
      weak_password: null,
    }
  }

  /** The bearer's user and session, or GoTrue's error. */
  const authenticate = (request: FakeRequest): { user: FakeSupabaseUser; session: Session } | FakeAnswer => {
    const match = /^Bearer (\S+)$/i.exec(String(request.headers.authorization ?? ''))
    if (!match)
      return gotrueError(request, 401, 'no_authorization', 'This endpoint requires a valid Bearer token')
    const claims = verify(secret, match[1] as string)
    if (claims === 'malformed') {
      return gotrueError(
        request,
        403,
        'bad_jwt',
        'invalid JWT: unable to parse or verify signature, token is malformed',
      )
    }
    if (claims === 'bad_signature') {
      return gotrueError(
        request,
        403,
        'bad_jwt',
        'invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid',
      )
    }
    if (typeof claims.exp !== 'number' || claims.exp <= now()) {
      return gotrueError(
        request,
        403,
        'bad_jwt',
        'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
      )
    }
    if (typeof claims.sub !== 'string') {
      return gotrueError(request, 403, 'bad_jwt', 'invalid claim: missing sub claim')
    }
    const user = [...users.values()].find((u) => u.id === claims.sub)
    if (!user) return gotrueError(request, 403, 'user_not_found', 'User from sub claim in JWT does not exist')
    const session = sessions.get(String(claims.session_id))
    if (!session || session.ended) {
      return gotrueError(
        request,
        403,
        'session_not_found',
        'Session from session_id claim in JWT does not exist',
      )
    }
    return { user, session }
  }

  const route = (request: FakeRequest): FakeAnswer => {
    if (!request.path.startsWith('/auth/v1/')) {
      return { status: 404, body: { message: 'no Route matched with those values' } }
    }
    const key = request.headers.apikey ?? request.query.get('apikey')
    if (!key) {
      return {
        status: 401,
        body: {
          message: 'No API key found in request',
          hint: 'No `apikey` request header or url param was found.',
        },
      }
    }
    if (key !== anonKey) {
      return {
        status: 401,
        body: {
          message: 'Invalid API key',
          hint: 'Double check your Supabase `anon` or `service_role` API key.',
        },
      }
    }
    const endpoint = `${request.method} ${request.path}`
    if (endpoint === 'GET /auth/v1/user') {
      const found = authenticate(request)
      return 'user' in found ? { status: 200, body: userJson(found.user) } : found
    }
    if (endpoint === 'POST /auth/v1/logout') {
      const found = authenticate(request)
      if (!('user' in found)) return found
      const scope = request.query.get('scope') ?? 'global'
      for (const session of sessions.values()) {
        if (session.userId !== found.user.id) continue
        const mine = session.id === found.session.id
        if (scope === 'global' || (scope === 'local' && mine) || (scope === 'others' && !mine))
          session.ended = true
      }
      return { status: 204 }
    }
    if (endpoint === 'POST /auth/v1/token') {
      const body = JSON.parse(request.body || '{}') as Record<string, unknown>
      const grant = request.query.get('grant_type')
      if (grant === 'password') {
        const user = [...users.values()].find(
          (u) => u.email !== null && u.email.toLowerCase() === String(body.email ?? '').toLowerCase(),
        )
        if (!user || user.password !== body.password) {
          return gotrueError(request, 400, 'invalid_credentials', 'Invalid login credentials')
        }
        if (!user.emailConfirmed)
          return gotrueError(request, 400, 'email_not_confirmed', 'Email not confirmed')
        return { status: 200, body: newSession(user, fake.expiresIn) }
      }
      if (grant === 'refresh_token') {
        const stored = refreshTokens.get(String(body.refresh_token ?? ''))
        const session = stored ? sessions.get(stored.sessionId) : undefined
        if (!stored || !session || session.ended) {
          return gotrueError(
            request,
            400,
            'refresh_token_not_found',
            'Invalid Refresh Token: Refresh Token Not Found',
          )
        }
        if (stored.used) {
          return gotrueError(
            request,
            400,
            'refresh_token_already_used',
            'Invalid Refresh Token: Already Used',
          )
        }
        stored.used = true
        const user = [...users.values()].find((u) => u.id === session.userId) as FakeSupabaseUser
        return { status: 200, body: sessionJson(user, session, fake.expiresIn) }
      }
      return gotrueError(request, 400, 'validation_failed', 'unsupported_grant_type')
    }
    return { status: 404, body: { code: 404, error_code: 'not_found', msg: 'Not Found' } }
  }

  const server: FakeServer = await startFakeServer(route)
  baseUrl = server.url
  const fake: FakeSupabaseAuth = {
    url: server.url,
    anonKey,
    requests: server.requests,
    expiresIn: 3600,
    addUser(input) {
      const user: FakeSupabaseUser = {
        id: randomUUID(),
        email: input.email,
        password: input.password ?? 'supabase password',
        emailConfirmed: input.emailConfirmed ?? true,
        ...(input.name ? { name: input.name } : {}),
      }
      users.set(user.id, user)
      return user
    },
    accessTokenFor(user, options = {}) {
      return newSession(user, options.expiresIn ?? fake.expiresIn).access_token
    },
    endSession(token) {
      const claims = verify(secret, token)
      if (typeof claims === 'object') {
        const session = sessions.get(String(claims.session_id))
        if (session) session.ended = true
      }
    },
    sessionEnded(token) {
      const claims = verify(secret, token)
      if (typeof claims !== 'object') return true
      return sessions.get(String(claims.session_id))?.ended ?? true
    },
    calls: (endpoint) => server.requests.filter((r) => `${r.method} ${r.path}` === endpoint),
    close: () => server.close(),
  }
  return fake
}

function userMetadata(user: FakeSupabaseUser): Record<string, unknown> {
  return {
    ...(user.email ? { email: user.email, email_verified: user.emailConfirmed } : {}),
    phone_verified: false,
    sub: user.id,
    ...(user.name ? { full_name: user.name } : {}),
  }
}

/** GoTrue's user object, as `GET /user` and sessions carry it. */
function userJson(user: FakeSupabaseUser) {
  const created = '2026-01-01T00:00:00.000000Z'
  const confirmedAt = user.emailConfirmed ? '2026-01-01T00:01:00.000000Z' : undefined
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email ?? '',
    ...(confirmedAt ? { email_confirmed_at: confirmedAt, confirmed_at: confirmedAt } : {}),
    phone: '',
    last_sign_in_at: new Date().toISOString(),
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: userMetadata(user),
    identities: user.email
      ? [
          {
            identity_id: randomUUID(),
            id: user.id,
            user_id: user.id,
            identity_data: userMetadata(user),
            provider: 'email',
            last_sign_in_at: created,
            created_at: created,
            updated_at: created,
            email: user.email,
          },
        ]
      : [],
    created_at: created,
    updated_at: created,
    is_anonymous: user.email === null,
  }
}

/** GoTrue's error answer in the format the request's API version asks for. */
function gotrueError(request: FakeRequest, status: number, errorCode: string, message: string): FakeAnswer {
  const version = request.headers['x-supabase-api-version']
  if (typeof version === 'string' && version >= apiVersion) {
    return {
      status,
      headers: { 'x-supabase-api-version': apiVersion },
      body: { code: errorCode, message },
    }
  }
  return { status, body: { code: status, error_code: errorCode, msg: message } }
}

function now(): number {
  return Math.floor(Date.now() / 1000)
}

function sign(secret: Buffer, payload: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url')
  return `${header}.${body}.${signature}`
}

function verify(secret: Buffer, token: string): Record<string, unknown> | 'malformed' | 'bad_signature' {
  const parts = token.split('.')
  if (parts.length !== 3) return 'malformed'
  const [header, body, signature] = parts as [string, string, string]
  const expected = createHmac('sha256', secret).update(`${header}.${body}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature'
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return 'malformed'
  }
}

/** A JWT with a payload of our choosing and a signature the fake does not know. */
export function forgedToken(payload: Record<string, unknown>): string {
  return sign(randomBytes(32), payload)
}
