/**
 * Signup and login: the account checks, then the user, its first (or next) token and the audit
 * rows in one transaction.
 */
import { randomBytes } from 'node:crypto'
import { recordAudit } from '../../store/audit.js'
import { createApiToken, type TokenInfo } from '../../store/tokens.js'
import { findUserByEmail, hasAnyUser, insertUser, lockSignups, type User } from '../../store/users.js'
import type { DaemonContext } from '../context.js'
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js'
import { ProblemError } from './problems.js'

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

export async function signup(ctx: DaemonContext, input: SignupInput): Promise<Session> {
  // Hashing takes tens of milliseconds: done before the transaction, not while holding locks.
  const passwordHash = await hashPassword(input.password)
  const tokenName = input.tokenName ?? defaultTokenName('signup')
  return ctx.store.db.transaction().execute(async (trx) => {
    if (ctx.config.signup === 'closed') {
      await lockSignups(trx)
      if (await hasAnyUser(trx)) {
        throw new ProblemError(
          'signup_closed',
          'signup is closed on this server (AREA_SIGNUP=closed): ask its administrator for an account',
        )
      }
    }
    const user = await insertUser(trx, { email: input.email, passwordHash, displayName: input.displayName })
    if (!user) {
      throw new ProblemError(
        'email_taken',
        `an account for ${input.email} exists: sign in with \`area login\``,
      )
    }
    const created = await createApiToken(trx, { userId: user.id, name: tokenName })
    // A brand-new user has no tokens, so the name cannot be taken.
    if (!created) throw new Error('a new user already has a token of that name')
    await recordAudit(trx, { userId: user.id, action: 'user.signup', target: `user/${user.id}` })
    await recordAudit(trx, {
      userId: user.id,
      action: 'token.created',
      target: `token/${tokenName}`,
      metadata: { via: 'signup' },
    })
    return { user, token: created.token, tokenInfo: created.info }
  })
}

export interface LoginInput {
  email: string
  password: string
  tokenName?: string
}

export async function login(ctx: DaemonContext, input: LoginInput): Promise<Session> {
  const found = await findUserByEmail(ctx.store.db, input.email)
  const ok = found?.passwordHash
    ? await verifyPassword(found.passwordHash, input.password)
    : await verifyAgainstDummy(input.password)
  if (!found || !ok) {
    throw new ProblemError('invalid_credentials', 'wrong e-mail or password')
  }
  const tokenName = input.tokenName ?? defaultTokenName('login')
  return ctx.store.db.transaction().execute(async (trx) => {
    const created = await createApiToken(trx, { userId: found.id, name: tokenName })
    if (!created) throw tokenExists(tokenName)
    await recordAudit(trx, { userId: found.id, action: 'user.login', target: `user/${found.id}` })
    await recordAudit(trx, {
      userId: found.id,
      action: 'token.created',
      target: `token/${tokenName}`,
      metadata: { via: 'login' },
    })
    const user: User = {
      id: found.id,
      email: found.email,
      displayName: found.displayName,
      createdAt: found.createdAt,
    }
    return { user, token: created.token, tokenInfo: created.info }
  })
}

export function tokenExists(name: string): ProblemError {
  return new ProblemError(
    'token_exists',
    `you have a live token named "${name}": pick another name, or revoke it with \`area tokens revoke ${name}\``,
  )
}

/** e.g. `login-20250101-093000-1a2b`: readable in `area tokens list`, unique enough per user. */
function defaultTokenName(kind: 'signup' | 'login', now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${kind}-${stamp}-${randomBytes(2).toString('hex')}`
}
