/**
 * Local users linked to Supabase Auth users through `users.supabase_user_id` (unique). The rules
 * (which user to link, whether one may be created) are the accounts feature's
 * (features/accounts/supabase-link.ts); these are the statements, each safe when two requests of
 * the same user race.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import type { User } from './users.js'

const columns = ['id', 'email', 'display_name', 'created_at', 'supabase_user_id'] as const

export interface LinkedUser extends User {
  supabaseUserId: string | null
}

function toLinkedUser(row: {
  id: string
  email: string
  display_name: string | null
  created_at: Date
  supabase_user_id: string | null
}): LinkedUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    createdAt: row.created_at,
    supabaseUserId: row.supabase_user_id,
  }
}

export async function findUserBySupabaseId(
  db: Kysely<Database>,
  supabaseUserId: string,
): Promise<LinkedUser | undefined> {
  const row = await db
    .selectFrom('users')
    .select(columns)
    .where('supabase_user_id', '=', supabaseUserId)
    .executeTakeFirst()
  return row ? toLinkedUser(row) : undefined
}

/** The user with this e-mail (any case), linked or not. */
export async function findUserByEmailForLink(
  db: Kysely<Database>,
  email: string,
): Promise<LinkedUser | undefined> {
  const row = await db
    .selectFrom('users')
    .select(columns)
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst()
  return row ? toLinkedUser(row) : undefined
}

/**
 * Links the not-yet-linked user with this e-mail; undefined when there is none (no such user,
 * or already linked, perhaps by a concurrent request: the caller reads the row again).
 */
export async function linkSupabaseUserByEmail(
  db: Kysely<Database>,
  input: { email: string; supabaseUserId: string },
): Promise<LinkedUser | undefined> {
  const row = await db
    .updateTable('users')
    .set({ supabase_user_id: input.supabaseUserId, updated_at: sql`now()` })
    .where(sql`lower(email)`, '=', input.email.toLowerCase())
    .where('supabase_user_id', 'is', null)
    .returning(columns)
    .executeTakeFirst()
  return row ? toLinkedUser(row) : undefined
}

/**
 * Creates a user without a password (they sign in through Supabase), linked at once. Undefined
 * when the e-mail or the Supabase id is taken meanwhile.
 */
export async function insertSupabaseUser(
  db: Kysely<Database>,
  input: { email: string; supabaseUserId: string; displayName: string | null },
): Promise<LinkedUser | undefined> {
  const row = await db
    .insertInto('users')
    .values({
      email: input.email,
      password_hash: null,
      display_name: input.displayName,
      supabase_user_id: input.supabaseUserId,
    })
    // Both unique keys (lower(email) and supabase_user_id): whichever a racing request took.
    .onConflict((oc) => oc.doNothing())
    .returning(columns)
    .executeTakeFirst()
  return row ? toLinkedUser(row) : undefined
}

/**
 * Gives the linked user `userId` the e-mail `email`; undefined when another user has that
 * address (any case), also when one takes it meanwhile.
 */
export async function updateLinkedUserEmail(
  db: Kysely<Database>,
  input: { userId: string; email: string },
): Promise<LinkedUser | undefined> {
  try {
    const row = await db
      .updateTable('users')
      .set({ email: input.email, updated_at: sql`now()` })
      .where('id', '=', input.userId)
      .where('supabase_user_id', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('users as other')
              .select('other.id')
              .where(sql`lower(other.email)`, '=', input.email.toLowerCase())
              .where('other.id', '<>', input.userId),
          ),
        ),
      )
      .returning(columns)
      .executeTakeFirst()
    return row ? toLinkedUser(row) : undefined
  } catch (error) {
    // users_email_lower_key: another request gave the address to someone else meanwhile.
    if ((error as { code?: unknown }).code === '23505') return undefined
    throw error
  }
}
