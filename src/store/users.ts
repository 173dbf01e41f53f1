/**
 * Accounts (users). E-mail addresses are unique whatever their case (the `lower(email)` index);
 * they are stored as typed and looked up case-insensitively.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'

export interface User {
  id: string
  email: string
  displayName: string | null
  createdAt: Date
}

export interface UserWithPassword extends User {
  passwordHash: string | null
}

const userColumns = ['id', 'email', 'display_name', 'created_at', 'password_hash'] as const

type UserColumns = {
  id: string
  email: string
  display_name: string | null
  created_at: Date
  password_hash: string | null
}

function toUser(row: UserColumns): UserWithPassword {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    createdAt: row.created_at,
    passwordHash: row.password_hash,
  }
}

/** Public view: never carries the password hash. */
export function publicUser(user: User): User {
  return { id: user.id, email: user.email, displayName: user.displayName, createdAt: user.createdAt }
}

/** Inserts a user; undefined when the e-mail (in any case) is taken. */
export async function insertUser(
  db: Kysely<Database>,
  input: { email: string; passwordHash: string; displayName?: string | undefined },
): Promise<User | undefined> {
  const row = await db
    .insertInto('users')
    .values({
      email: input.email,
      password_hash: input.passwordHash,
      display_name: input.displayName ?? null,
    })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returning(userColumns)
    .executeTakeFirst()
  return row ? publicUser(toUser(row)) : undefined
}

export async function findUserByEmail(
  db: Kysely<Database>,
  email: string,
): Promise<UserWithPassword | undefined> {
  const row = await db
    .selectFrom('users')
    .select(userColumns)
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst()
  return row ? toUser(row) : undefined
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst()
  return row ? publicUser(toUser(row)) : undefined
}

export async function hasAnyUser(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst()
  return row !== undefined
}

const signupLock = 7_261_126_002

/**
 * Serializes signups inside the caller's transaction, so that with closed signup two first
 * signups cannot both see an empty table.
 */
export async function lockSignups(trx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${signupLock})`.execute(trx)
}
