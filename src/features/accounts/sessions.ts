/**
 * Signup, login, logout and "who am I". Signup and login check the account, then write the user
 * (signup), its new token and the audit rows in one transaction.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { AreaError } from '../../engine/errors.js'
import { recordAudit } from '../../store/audit.js'
import { createApiToken, findApiTokenInfo, revokeApiTokenById, type TokenInfo } from '../../store/tokens.js'
import {
  findUserByEmail,
  findUserById,
  hasAnyUser,
  insertUser,
  lockSignups,
  publicUser,
  type User,
} from '../../store/users.js'
import type { FeatureContext } from '../context.js'
import type { Caller, SupabaseSession } from './authenticate.js'
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js'
import type { SigninGuard } from './signin-guard.js'
import { supabaseAuthenticatorFor } from './supabase-auth.js'
import { defaultTokenName, tokenExists } from './tokens.js'

type AccountsContext = Pick<FeatureContext, 'store' | 'config' | 'logger'>

export interface Session {
  user: User
  token: string
  tokenInfo: TokenInfo
}

export interface SignupInput {
  email: string
  password: string
  displayName?: string
  tokenName?: string
}

/**
 * Where a sign-in comes from, for throttling (signin-guard.ts): the client address as the API
 * sees it (X-Forwarded-For only when AREA_TRUST_PROXY says so). Internal callers pass none.
 */
export interface SigninOrigin {
  guard: SigninGuard
  address: string
}

const unguarded = <T>(task: () => Promise<T>) => task()

/**
 * Signup answers an existing e-mail (any case) with 409: a signup that succeeds signs in at once,
 * so without e-mail verification it cannot look the same for a taken address. It is the one place
 * that tells, throttled per address like login; a server's signup is closed after its first
 * account unless AREA_SIGNUP=open, and closed signup answers 403 before looking at the e-mail.
 * Login stays generic (README, "Network and credentials").
 */
export async function signup(
  ctx: AccountsContext,
  input: SignupInput,
  origin?: SigninOrigin,
): Promise<Session> {
  await origin?.guard.attempt(origin.address)
  // Hashing takes tens of milliseconds: done before the transaction, not while holding locks.
  const passwordHash = await (origin ? origin.guard.hash.bind(origin.guard) : unguarded)(() =>
    hashPassword(input.password),
  )
  const tokenName = input.tokenName ?? defaultTokenName('signup')
  return ctx.store.db.transaction().execute(async (trx) => {
    if (ctx.config.signup === 'closed') {
      await lockSignups(trx)
      if (await hasAnyUser(trx)) {
        throw new AreaError(
          'signup_closed',
          'signup is closed on this server (AREA_SIGNUP=closed): ask its administrator for an account',
        )
      }
    }
    const user = await insertUser(trx, { email: input.email, passwordHash, displayName: input.displayName })
    if (!user) {
      throw new AreaError('email_taken', `an account for ${input.email} exists: sign in with \`area login\``)
    }
    const created = await createApiToken(trx, { userId: user.id, name: tokenName })
    // A brand-new user has no tokens, so the name cannot be taken.
    if (!created) throw new Error('a new user already has a token of that name')
    await auditSession(trx, user.id, 'signup', tokenName)
    return { user, token: created.token, tokenInfo: created.info }
  })
}

export interface LoginInput {
  email: string
  password: string
  tokenName?: string
}

export async function login(
  ctx: AccountsContext,
  input: LoginInput,
  origin?: SigninOrigin,
): Promise<Session> {
  // Limits first, so a refused guess costs no hash; an unknown e-mail is limited like a known one.
  await origin?.guard.attempt(origin.address)
  await origin?.guard.checkAccount(input.email)
  const found = await findUserByEmail(ctx.store.db, input.email)
  const hashing = origin ? origin.guard.hash.bind(origin.guard) : unguarded
  const ok = await hashing(() =>
    found?.passwordHash
      ? verifyPassword(found.passwordHash, input.password)
      : verifyAgainstDummy(input.password),
  )
  if (!found || !ok) {
    await origin?.guard.failed(input.email)
    await recordAudit(ctx.store.db, {
      userId: found?.id ?? null,
      action: 'user.login_failed',
      target: `email/${input.email.trim().toLowerCase()}`,
      metadata: { address: origin?.address ?? null, reason: found ? 'wrong_password' : 'unknown_account' },
    })
    throw new AreaError('invalid_credentials', 'wrong e-mail or password')
  }
  await origin?.guard.succeeded(input.email)
  const tokenName = input.tokenName ?? defaultTokenName('login')
  return ctx.store.db.transaction().execute(async (trx) => {
    const created = await createApiToken(trx, { userId: found.id, name: tokenName })
    if (!created) throw tokenExists(tokenName)
    await auditSession(trx, found.id, 'login', tokenName)
    return { user: publicUser(found), token: created.token, tokenInfo: created.info }
  })
}

/** The audit rows of a signup or a login: the user's, then its new token's. */
async function auditSession(
  trx: Kysely<Database>,
  userId: string,
  via: 'signup' | 'login',
  tokenName: string,
) {
  await recordAudit(trx, { userId, action: `user.${via}`, target: `user/${userId}` })
  await recordAudit(trx, { userId, action: 'token.created', target: `token/${tokenName}`, metadata: { via } })
}

/**
 * Ends the caller's session: revokes the API token of the request, or signs a Supabase access
 * token's session out (`token` is that access token).
 */
export async function logout(ctx: AccountsContext, caller: Caller, token: string | undefined): Promise<void> {
  if (caller.supabase) {
    if (token) await supabaseAuthenticatorFor(ctx)?.signOut(token)
    await recordAudit(ctx.store.db, {
      userId: caller.userId,
      action: 'session.signed_out',
      target: `supabase/${caller.supabase.userId}`,
      metadata: { via: 'logout' },
    })
    return
  }
  const tokenId = caller.tokenId
  if (!tokenId) throw new Error('an API token request without a token id')
  await ctx.store.db.transaction().execute(async (trx) => {
    await revokeApiTokenById(trx, tokenId)
    await recordAudit(trx, {
      userId: caller.userId,
      action: 'token.revoked',
      target: `token/${caller.tokenName}`,
      metadata: { via: 'logout' },
    })
  })
}

/** The caller's account, and the API token or Supabase session the request was made with. */
export type CurrentAccount = { user: User } & ({ token: TokenInfo } | { supabase: SupabaseSession })

export async function currentAccount(
  ctx: Pick<FeatureContext, 'store'>,
  caller: Caller,
): Promise<CurrentAccount> {
  const db = ctx.store.db
  if (caller.supabase) {
    const user = await findUserById(db, caller.userId)
    if (!user) throw new Error('the calling user vanished during the request')
    return { user, supabase: caller.supabase }
  }
  const [user, token] = await Promise.all([
    findUserById(db, caller.userId),
    caller.tokenId ? findApiTokenInfo(db, caller.tokenId) : undefined,
  ])
  // Both were just read by the authentication hook; only a concurrent deletion gets here.
  if (!user || !token) throw new Error('the calling user or token vanished during the request')
  return { user, token }
}
