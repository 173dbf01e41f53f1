/**
 * API tokens for the CLI and CI: create (the token is shown once), list (never the token), revoke
 * by name. Each change and its audit row are one transaction.
 */
import { randomBytes } from 'node:crypto'
import { AreaError } from '../../engine/errors.js'
import { recordAudit } from '../../store/audit.js'
import {
  type CreatedToken,
  createApiToken,
  listApiTokens,
  revokeApiTokenByName,
  type TokenInfo,
} from '../../store/tokens.js'
import type { FeatureContext } from '../context.js'

type TokensContext = Pick<FeatureContext, 'store'>

const dayMs = 86_400_000

export async function createToken(
  ctx: TokensContext,
  userId: string,
  input: { name: string; expiresInDays?: number | undefined },
): Promise<CreatedToken> {
  const { name, expiresInDays } = input
  const expiresAt = expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * dayMs)
  return ctx.store.db.transaction().execute(async (trx) => {
    const made = await createApiToken(trx, { userId, name, expiresAt })
    if (!made) throw tokenExists(name)
    await recordAudit(trx, { userId, action: 'token.created', target: `token/${name}` })
    return made
  })
}

/** The user's live tokens (expired ones included, so they can be cleaned up); a handful each. */
export function listTokens(ctx: TokensContext, userId: string): Promise<TokenInfo[]> {
  return listApiTokens(ctx.store.db, userId)
}

export async function revokeToken(ctx: TokensContext, userId: string, name: string): Promise<void> {
  await ctx.store.db.transaction().execute(async (trx) => {
    if (!(await revokeApiTokenByName(trx, userId, name))) {
      throw new AreaError(
        'token_not_found',
        `you have no live token named "${name}" (see \`area tokens list\`)`,
      )
    }
    await recordAudit(trx, { userId, action: 'token.revoked', target: `token/${name}` })
  })
}

export function tokenExists(name: string): AreaError {
  return new AreaError(
    'token_exists',
    `you have a live token named "${name}": pick another name, or revoke it with \`area tokens revoke ${name}\``,
  )
}

/** e.g. `login-20250101-093000-1a2b`: readable in `area tokens list`, unique enough per user. */
export function defaultTokenName(kind: 'signup' | 'login' | 'dev', now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${kind}-${stamp}-${randomBytes(2).toString('hex')}`
}
