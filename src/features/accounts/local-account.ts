/**
 * `area dev`'s local account: one user with a random password nobody needs, and a new API token
 * for it. No audit rows: this is a laptop's own account, not a signup.
 */
import { randomBytes } from 'node:crypto'
import { createApiToken } from '../../store/tokens.js'
import { findUserByEmail, insertUser } from '../../store/users.js'
import type { FeatureContext } from '../context.js'
import { hashPassword } from './passwords.js'
import { defaultTokenName } from './tokens.js'

/** Creates the user `email` unless it exists, and a new token for it; returns the token. */
export async function createLocalAccountToken(
  ctx: Pick<FeatureContext, 'store'>,
  email: string,
): Promise<string> {
  const db = ctx.store.db
  const user =
    (await findUserByEmail(db, email)) ??
    (await insertUser(db, {
      email,
      passwordHash: await hashPassword(randomBytes(24).toString('base64url')),
    })) ??
    // Inserted concurrently by another `area dev` on the same data directory.
    (await findUserByEmail(db, email))
  if (!user) throw new Error(`could not create the local user ${email}`)
  const name = defaultTokenName('dev')
  const created = await createApiToken(db, { userId: user.id, name })
  if (!created) throw new Error(`a token named ${name} exists already; run area dev again`)
  return created.token
}
