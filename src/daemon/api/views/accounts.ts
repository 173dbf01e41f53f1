/** Accounts, sessions and API tokens as the API shows them (contract/auth.ts): never a hash. */
import type { Static } from '@sinclair/typebox'
import type {
  CreatedTokenAnswer,
  MeAnswer,
  SessionAnswer,
  TokenInfoSchema,
  UserSchema,
} from '../../../contract/auth.js'
import { iso, isoOrNull } from '../../../contract/common.js'
import type { Caller, SupabaseSession } from '../../../features/accounts/authenticate.js'
import type { CurrentAccount, Session } from '../../../features/accounts/sessions.js'
import type { CreatedToken, TokenInfo } from '../../../store/tokens.js'
import type { User } from '../../../store/users.js'

export function userView(user: User): Static<typeof UserSchema> {
  return { id: user.id, email: user.email, displayName: user.displayName, createdAt: iso(user.createdAt) }
}

export function tokenView(
  token: TokenInfo,
  currentTokenId: string | null,
  now = new Date(),
): Static<typeof TokenInfoSchema> {
  return {
    name: token.name,
    createdAt: iso(token.createdAt),
    expiresAt: isoOrNull(token.expiresAt),
    lastUsedAt: isoOrNull(token.lastUsedAt),
    expired: token.expiresAt !== null && token.expiresAt <= now,
    current: token.id === currentTokenId,
  }
}

/** The one answer that shows a token: a new one (`POST /v1/tokens`). */
export function createdTokenView(created: CreatedToken): Static<typeof CreatedTokenAnswer> {
  return {
    name: created.info.name,
    token: created.token,
    createdAt: iso(created.info.createdAt),
    expiresAt: isoOrNull(created.info.expiresAt),
  }
}

export function sessionView(session: Session): Static<typeof SessionAnswer> {
  return {
    user: userView(session.user),
    token: session.token,
    tokenName: session.tokenInfo.name,
    expiresAt: isoOrNull(session.tokenInfo.expiresAt),
  }
}

/** `GET /v1/me`: a Supabase access token shows in the place of an API token. */
export function meView(account: CurrentAccount, caller: Caller): Static<typeof MeAnswer> {
  return {
    user: userView(account.user),
    currentToken:
      'token' in account
        ? tokenView(account.token, caller.tokenId)
        : supabaseSessionView(caller.tokenName, account.supabase),
  }
}

/** A Supabase session in the place of an API token: its validity from the token's claims. */
function supabaseSessionView(name: string, session: SupabaseSession): Static<typeof TokenInfoSchema> {
  const now = new Date()
  return {
    name,
    createdAt: iso(session.issuedAt ?? now),
    expiresAt: isoOrNull(session.expiresAt),
    lastUsedAt: null,
    expired: session.expiresAt !== null && session.expiresAt <= now,
    current: true,
  }
}
