/**
 * A user's secrets (table user_secrets): list (names and dates, never a value), set, remove, and
 * the worker's read of the few an AREA uses. Values arrive here sealed; only `openUserSecrets`,
 * which the worker alone calls, opens them.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import type { SecretBox } from '../secrets/secret-box.js'

export interface SecretInfo {
  name: string
  createdAt: Date
  updatedAt: Date
}

export function listSecrets(db: Kysely<Database>, userId: string): Promise<SecretInfo[]> {
  return db
    .selectFrom('user_secrets')
    .select(['name', 'created_at as createdAt', 'updated_at as updatedAt'])
    .where('user_id', '=', userId)
    .orderBy('name')
    .execute()
}

export type PutSecretOutcome = { outcome: 'created' | 'updated'; secret: SecretInfo } | { outcome: 'full' }

/**
 * Creates the secret, or replaces the value of the one of that name. A new one is refused
 * (`full`) when the user already has `max`. Run inside a transaction: the user's row is locked
 * first, so two concurrent creations cannot both slip under the limit.
 */
export async function putSecret(
  db: Kysely<Database>,
  input: { userId: string; name: string; valueEncrypted: string; max: number },
): Promise<PutSecretOutcome> {
  await db.selectFrom('users').select('id').where('id', '=', input.userId).forNoKeyUpdate().execute()
  const updated = await db
    .updateTable('user_secrets')
    .set({ value_encrypted: input.valueEncrypted, updated_at: sql`now()` })
    .where('user_id', '=', input.userId)
    .where('name', '=', input.name)
    .returning(['name', 'created_at as createdAt', 'updated_at as updatedAt'])
    .executeTakeFirst()
  if (updated) return { outcome: 'updated', secret: updated }
  const row = await db
    .selectFrom('user_secrets')
    .select(sql<string>`count(*)`.as('n'))
    .where('user_id', '=', input.userId)
    .executeTakeFirst()
  if (Number(row?.n ?? 0) >= input.max) return { outcome: 'full' }
  const created = await db
    .insertInto('user_secrets')
    .values({ user_id: input.userId, name: input.name, value_encrypted: input.valueEncrypted })
    .returning(['name', 'created_at as createdAt', 'updated_at as updatedAt'])
    .executeTakeFirstOrThrow()
  return { outcome: 'created', secret: created }
}

/** Whether the user had a secret of that name. */
export async function deleteSecret(db: Kysely<Database>, userId: string, name: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('user_secrets')
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .returning('id')
    .executeTakeFirst()
  return deleted !== undefined
}

/**
 * The worker's read: the values of the named secrets the user has, opened. A name the user has
 * not set is absent; the engine fails the reaction that reads it.
 */
export async function openUserSecrets(
  db: Kysely<Database>,
  box: SecretBox,
  userId: string,
  names: readonly string[],
): Promise<Map<string, string>> {
  if (names.length === 0) return new Map()
  const rows = await db
    .selectFrom('user_secrets')
    .select(['name', 'value_encrypted'])
    .where('user_id', '=', userId)
    .where('name', 'in', names)
    .execute()
  return new Map(rows.map((row) => [row.name, box.open(row.value_encrypted)]))
}
