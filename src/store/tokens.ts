/**
 * API tokens: opaque `area_<43 base64url chars>` strings (32 random bytes). Only their SHA-256
 * is stored: with that much entropy a fast hash cannot be brute-forced, and a fast hash lets
 * every request be checked with one indexed lookup. A name identifies one live token per user.
 */
import { createHash, randomBytes } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'

export const tokenPrefix = 'area_'

export interface TokenInfo {
  id: string
  name: string
  createdAt: Date
  expiresAt: Date | null
  lastUsedAt: Date | null
}

/** A new token in clear (the one time it is) and its record. */
export interface CreatedToken {
  token: string
  info: TokenInfo
}

/** What authentication needs: the token and its owner, only while it is live. */
export interface AuthenticatedToken {
  tokenId: string
  tokenName: string
  userId: string
  email: string
  lastUsedAt: Date | null
}

export function generateApiToken(): string {
  return `${tokenPrefix}${randomBytes(32).toString('base64url')}`
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * Creates a token and returns it in clear, the one time it exists outside the caller's hands.
 * Undefined when a live token already has this name. An expired token's name is free again: it
 * is revoked first so the partial unique index allows the reuse (run both in one transaction).
 */
export async function createApiToken(
  db: Kysely<Database>,
  input: { userId: string; name: string; expiresAt?: Date | null },
): Promise<CreatedToken | undefined> {
  await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', input.userId)
    .where('name', '=', input.name)
    .where('revoked_at', 'is', null)
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute()
  const token = generateApiToken()
  const row = await db
    .insertInto('api_tokens')
    .values({
      user_id: input.userId,
      name: input.name,
      token_hash: hashApiToken(token),
      expires_at: input.expiresAt ?? null,
    })
    .onConflict((oc) => oc.columns(['user_id', 'name']).where('revoked_at', 'is', null).doNothing())
    .returning(['id', 'name', 'created_at', 'expires_at', 'last_used_at'])
    .executeTakeFirst()
  if (!row) return undefined
  return { token, info: toInfo(row) }
}

/** The live token matching `token`: not revoked, not expired, owner present. */
export async function findLiveToken(
  db: Kysely<Database>,
  token: string,
): Promise<AuthenticatedToken | undefined> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.name', 't.user_id', 't.last_used_at', 'u.email'])
    .where('t.token_hash', '=', hashApiToken(token))
    .where('t.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst()
  if (!row) return undefined
  return {
    tokenId: row.id,
    tokenName: row.name,
    userId: row.user_id,
    email: row.email,
    lastUsedAt: row.last_used_at,
  }
}

/**
 * Records a use of the token, at most once per `intervalSeconds`: the condition makes
 * concurrent requests write once, and callers skip the statement when their copy is recent.
 */
export async function touchApiToken(
  db: Kysely<Database>,
  tokenId: string,
  intervalSeconds: number,
): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', tokenId)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', sql<Date>`now() - make_interval(secs => ${intervalSeconds})`),
      ]),
    )
    .execute()
}

/** The user's tokens that are not revoked (expired ones included, so they can be cleaned up). */
export async function listApiTokens(db: Kysely<Database>, userId: string): Promise<TokenInfo[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'expires_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('name')
    .execute()
  return rows.map(toInfo)
}

/** Revokes the user's live token named `name`; false when there is none. */
export async function revokeApiTokenByName(
  db: Kysely<Database>,
  userId: string,
  name: string,
): Promise<boolean> {
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

export async function revokeApiTokenById(db: Kysely<Database>, tokenId: string): Promise<boolean> {
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

export async function findApiTokenInfo(
  db: Kysely<Database>,
  tokenId: string,
): Promise<TokenInfo | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'expires_at', 'last_used_at'])
    .where('id', '=', tokenId)
    .executeTakeFirst()
  return row ? toInfo(row) : undefined
}

function toInfo(row: {
  id: string
  name: string
  created_at: Date
  expires_at: Date | null
  last_used_at: Date | null
}): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  }
}
