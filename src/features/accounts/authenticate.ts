/**
 * Who is calling, from a bearer token. Anything wrong with the token is the same refusal
 * (`unauthenticated`), whatever it was (missing, unknown, revoked, expired), with what to do
 * about it.
 *
 * Two kinds of bearer: our opaque API tokens, told apart by their `area_` prefix, and, only when
 * SUPABASE_URL and SUPABASE_ANON_KEY are set, Supabase Auth access tokens: anything else shaped
 * like a JWT, checked by Supabase Auth (supabase-auth.ts). Without those settings a JWT gets the
 * same refusal as any other unknown bearer.
 */
import { AreaError } from '../../engine/errors.js'
import { findLiveToken, tokenPrefix, touchApiToken } from '../../store/tokens.js'
import { jwtClaims } from '../../supabase/auth-client.js'
import type { FeatureContext } from '../context.js'
import { supabaseAuthenticatorFor } from './supabase-auth.js'

/** A Supabase access token's Supabase user and validity (from its claims). */
export interface SupabaseSession {
  userId: string
  issuedAt: Date | null
  expiresAt: Date | null
}

export interface Caller {
  userId: string
  email: string
  /** The API token's id; null for a Supabase access token, which is not stored here. */
  tokenId: string | null
  /** The API token's name, or `supabase-session`. */
  tokenName: string
  /** Set for a Supabase access token. */
  supabase?: SupabaseSession
}

export interface AuthenticateOptions {
  /** `last_used_at` is written at most this often per token (default 60 s). */
  touchIntervalSeconds?: number
}

const missingToken =
  'a valid API token is required: run `area login`, or set AREA_TOKEN to a token from `area tokens create`'

/** The caller of each request, from its bearer token (undefined: there was none). */
export function createAuthenticator(
  ctx: Pick<FeatureContext, 'store' | 'config' | 'logger'>,
  options: AuthenticateOptions = {},
): (token: string | undefined) => Promise<Caller> {
  const touchIntervalSeconds = options.touchIntervalSeconds ?? 60
  const supabase = supabaseAuthenticatorFor(ctx)
  return async (token) => {
    if (supabase && token && !token.startsWith(tokenPrefix)) {
      const claims = jwtClaims(token)
      if (claims) return supabase.authenticate(token, claims)
    }
    if (!token?.startsWith(tokenPrefix)) throw new AreaError('unauthenticated', missingToken)
    const found = await findLiveToken(ctx.store.db, token)
    if (!found) {
      throw new AreaError(
        'unauthenticated',
        'this API token is unknown, revoked or expired: run `area login`, or set AREA_TOKEN to a live token',
      )
    }
    const stale = !found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > touchIntervalSeconds * 1000
    if (stale) await touchApiToken(ctx.store.db, found.tokenId, touchIntervalSeconds)
    return {
      userId: found.userId,
      email: found.email,
      tokenId: found.tokenId,
      tokenName: found.tokenName,
    }
  }
}
