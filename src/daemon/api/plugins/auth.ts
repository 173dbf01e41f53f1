/**
 * Bearer-token authentication for `/v1`. Routes registered in the authenticated scope (app.ts)
 * get `request.auth`; anything wrong with the token is the same 401, whatever it was (missing,
 * unknown, revoked, expired), with what to do about it.
 *
 * Two kinds of bearer: our opaque API tokens, told apart by their `area_` prefix, and, only when
 * SUPABASE_URL and SUPABASE_ANON_KEY are set, Supabase Auth access tokens: anything else shaped
 * like a JWT, checked by Supabase Auth (supabase-auth.ts). Without those settings a JWT gets the
 * same 401 as any other unknown bearer.
 */
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { findLiveToken, tokenPrefix, touchApiToken } from '../../../store/tokens.js'
import { jwtClaims } from '../../../supabase/auth-client.js'
import type { DaemonContext } from '../../context.js'
import { ProblemError, unauthenticatedDetail } from '../problems.js'
import { supabaseAuthenticatorFor } from '../supabase-auth.js'

export interface RequestAuth {
  userId: string
  email: string
  /** The API token's id; null for a Supabase access token, which is not stored here. */
  tokenId: string | null
  /** The API token's name, or `supabase-session`. */
  tokenName: string
  /** Set for a Supabase access token: its Supabase user and validity (from its claims). */
  supabase?: { userId: string; issuedAt: Date | null; expiresAt: Date | null }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook; null outside the authenticated scope. */
    auth: RequestAuth | null
  }
}

export interface AuthOptions {
  /** `last_used_at` is written at most this often per token (default 60 s). */
  touchIntervalSeconds?: number
}

export function decorateAuth(app: FastifyInstance): void {
  app.decorateRequest('auth', null)
}

const bearer = /^Bearer +(\S+) *$/i

/** The bearer token of the request, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return bearer.exec(request.headers.authorization ?? '')?.[1]
}

export function authenticate(ctx: DaemonContext, options: AuthOptions = {}): onRequestAsyncHookHandler {
  const touchIntervalSeconds = options.touchIntervalSeconds ?? 60
  const supabase = supabaseAuthenticatorFor(ctx)
  return async (request) => {
    const token = bearerToken(request)
    if (supabase && token && !token.startsWith(tokenPrefix)) {
      const claims = jwtClaims(token)
      if (claims) {
        request.auth = await supabase.authenticate(token, claims)
        return
      }
    }
    if (!token?.startsWith(tokenPrefix)) throw new ProblemError('unauthenticated', unauthenticatedDetail)
    const found = await findLiveToken(ctx.store.db, token)
    if (!found) {
      throw new ProblemError(
        'unauthenticated',
        'this API token is unknown, revoked or expired: run `area login`, or set AREA_TOKEN to a live token',
      )
    }
    const stale = !found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > touchIntervalSeconds * 1000
    if (stale) await touchApiToken(ctx.store.db, found.tokenId, touchIntervalSeconds)
    request.auth = {
      userId: found.userId,
      email: found.email,
      tokenId: found.tokenId,
      tokenName: found.tokenName,
    }
  }
}

/** The caller; only for routes in the authenticated scope, where the hook has run. */
export function authOf(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new Error(`${request.url} is served outside the authenticated scope`)
  return request.auth
}
