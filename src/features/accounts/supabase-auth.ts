/**
 * Supabase Auth access tokens on the API (docs/architecture.md, "Accounts and tokens"), when
 * SUPABASE_URL and SUPABASE_ANON_KEY are set. A bearer that is not one of our `area_…` tokens and
 * is shaped like a JWT is checked by Supabase Auth itself (`GET /auth/v1/user` through
 * supabase-js: signature, expiry, and that the session was not signed out), then mapped to a
 * local user (supabase-link.ts).
 *
 * Successful checks are cached for 30 s (never beyond the token's `exp`), keyed by the token's
 * SHA-256, at most 1,000 entries (the oldest goes first), so a burst of CLI requests costs one
 * call to Supabase. The cost: a token signed out elsewhere keeps working on this replica for up
 * to 30 s. Concurrent first requests with one token share one check. Failures are not cached.
 * The token itself is never logged nor kept.
 */
import { createHash } from 'node:crypto'
import { AreaError } from '../../engine/errors.js'
import { assertAddressAllowed, parseAddressPolicy } from '../../net/address-guard.js'
import {
  authErrorKind,
  claimDate,
  createSupabaseAuth,
  type JwtClaims,
  type SupabaseAuth,
  unreachableReason,
} from '../../supabase/auth-client.js'
import type { FeatureContext } from '../context.js'
import type { Caller } from './authenticate.js'
import { identityOf, localUserForSupabase } from './supabase-link.js'

type SupabaseContext = Pick<FeatureContext, 'store' | 'config' | 'logger'>
type SupabaseSettings = NonNullable<FeatureContext['config']['supabase']>

/** How a Supabase session shows in `/v1/me` and `area whoami`, in place of an API token's name. */
export const supabaseSessionName = 'supabase-session'

export interface SupabaseAuthenticatorOptions {
  cacheTtlMs?: number
  cacheSize?: number
  /** Deadline of each call to Supabase Auth. */
  timeoutMs?: number
}

const signInAgain =
  'sign in again with `area login --supabase`, or use an API token from `area tokens create`'

export class SupabaseAuthenticator {
  private readonly cache = new Map<string, { auth: Caller; until: number }>()
  private readonly inflight = new Map<string, Promise<Caller>>()
  private client: Promise<SupabaseAuth> | undefined
  private readonly cacheTtlMs: number
  private readonly cacheSize: number
  private readonly timeoutMs: number

  constructor(
    private readonly ctx: SupabaseContext,
    private readonly settings: SupabaseSettings,
    options: SupabaseAuthenticatorOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 30_000
    this.cacheSize = options.cacheSize ?? 1_000
    this.timeoutMs = options.timeoutMs ?? 5_000
  }

  /** The caller behind a Supabase access token; `claims` are its unverified claims. */
  async authenticate(token: string, claims: JwtClaims): Promise<Caller> {
    const key = cacheKey(token)
    const now = Date.now()
    const hit = this.cache.get(key)
    if (hit && hit.until > now) return { ...hit.auth }
    if (hit) this.cache.delete(key)
    // Unverified, but enough to refuse without asking: a forged future `exp` is still checked.
    const expiresAt = claimDate(claims.exp)
    if (expiresAt && expiresAt.getTime() <= now) {
      throw new AreaError(
        'unauthenticated',
        `this Supabase access token expired at ${expiresAt.toISOString()}: ${signInAgain}`,
      )
    }
    let pending = this.inflight.get(key)
    if (!pending) {
      pending = this.verify(token, key, claims).finally(() => this.inflight.delete(key))
      this.inflight.set(key, pending)
    }
    return pending
  }

  /** Ends the token's Supabase session (`POST /auth/v1/logout?scope=local`) and forgets it here. */
  async signOut(token: string): Promise<void> {
    this.cache.delete(cacheKey(token))
    const auth = await this.auth()
    const { error } = await auth.admin.signOut(token, 'local')
    // Refused: the session has ended already, which is what was asked.
    if (error && authErrorKind(error) === 'unavailable') throw this.unavailable(error.message)
  }

  private async verify(token: string, key: string, claims: JwtClaims): Promise<Caller> {
    const auth = await this.auth()
    const { data, error } = await auth.getUser(token)
    if (error) {
      if (authErrorKind(error) === 'unavailable') throw this.unavailable(error.message)
      const reason =
        error.name === 'AuthSessionMissingError' ? 'its session has ended (signed out)' : error.message
      throw new AreaError(
        'unauthenticated',
        `Supabase Auth refused this access token (${reason}): ${signInAgain}`,
      )
    }
    const user = data.user
    const bannedUntil = user.banned_until ? Date.parse(user.banned_until) : Number.NaN
    if (user.deleted_at || bannedUntil > Date.now()) {
      throw new AreaError(
        'unauthenticated',
        'this Supabase user is banned or deleted: use another account, or ask the Supabase project administrator',
      )
    }
    const local = await localUserForSupabase(this.ctx, identityOf(user))
    const expiresAt = claimDate(claims.exp)
    const result: Caller = {
      userId: local.id,
      email: local.email,
      tokenId: null,
      tokenName: supabaseSessionName,
      supabase: { userId: user.id, issuedAt: claimDate(claims.iat), expiresAt },
    }
    const until = Math.min(Date.now() + this.cacheTtlMs, expiresAt?.getTime() ?? Number.POSITIVE_INFINITY)
    if (until > Date.now()) {
      if (this.cache.size >= this.cacheSize) {
        const oldest = this.cache.keys().next().value
        if (oldest !== undefined) this.cache.delete(oldest)
      }
      this.cache.set(key, { auth: result, until })
    }
    return result
  }

  private auth(): Promise<SupabaseAuth> {
    this.client ??= createSupabaseAuth(this.settings.url, this.settings.anonKey, {
      timeoutMs: this.timeoutMs,
      // The mode's policy: a Supabase on a private network needs AREA_HTTP_ALLOW_PRIVATE.
      checkAddress: (url) => assertAddressAllowed(url, parseAddressPolicy(undefined)),
      onUnreachable: (error) =>
        this.ctx.logger.warn(
          { supabaseUrl: this.settings.url, reason: unreachableReason(error) },
          'Supabase Auth cannot be reached',
        ),
    })
    return this.client
  }

  private unavailable(message: string): AreaError {
    return new AreaError(
      'supabase_unavailable',
      `Supabase Auth at ${this.settings.url} cannot be reached or failed (${message}): try again later, or use an API token from \`area tokens create\``,
    )
  }
}

function cacheKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

const authenticators = new WeakMap<SupabaseContext, SupabaseAuthenticator>()

/**
 * The daemon's one authenticator (one cache), shared by the authentication hook and logout;
 * undefined when Supabase is not configured.
 */
export function supabaseAuthenticatorFor(ctx: SupabaseContext): SupabaseAuthenticator | undefined {
  if (!ctx.config.supabase) return undefined
  let found = authenticators.get(ctx)
  if (!found) {
    found = new SupabaseAuthenticator(ctx, ctx.config.supabase)
    authenticators.set(ctx, found)
  }
  return found
}
