/**
 * `area dev`'s local account: one user (dev@localhost, a random password nobody needs) and an
 * API token saved in the config file, so other terminals run `area get` with no login. The
 * saved token is reused while it still works against this server; otherwise a new one is made.
 */
import { randomBytes } from 'node:crypto'
import { hashPassword } from '../daemon/api/passwords.js'
import type { DaemonContext } from '../daemon/context.js'
import { createApiToken } from '../store/tokens.js'
import { findUserByEmail, insertUser } from '../store/users.js'
import { ApiClient } from './api-client.js'
import { readConfig, updateConfig } from './config.js'

export const devEmail = 'dev@localhost'

export interface DevAccount {
  token: string
  /** A token was created (and saved) on this run. */
  created: boolean
  configFile: string | undefined
  /** The server a previous login pointed at, when this replaced it. */
  replacedApiUrl: string | undefined
}

export async function ensureDevAccount(ctx: DaemonContext, apiUrl: string): Promise<DevAccount> {
  const saved = await readConfig()
  if (saved.token && saved.apiUrl === apiUrl && saved.email === devEmail) {
    const works = await new ApiClient(apiUrl, saved.token).get('/v1/me').then(
      () => true,
      () => false,
    )
    if (works) return { token: saved.token, created: false, configFile: undefined, replacedApiUrl: undefined }
  }
  const db = ctx.store.db
  const user =
    (await findUserByEmail(db, devEmail)) ??
    (await insertUser(db, {
      email: devEmail,
      passwordHash: await hashPassword(randomBytes(24).toString('base64url')),
    })) ??
    // Inserted concurrently by another `area dev` on the same data directory.
    (await findUserByEmail(db, devEmail))
  if (!user) throw new Error(`could not create the local user ${devEmail}`)
  const name = `dev-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(2).toString('hex')}`
  const created = await createApiToken(db, { userId: user.id, name })
  if (!created) throw new Error(`a token named ${name} exists already; run area dev again`)
  const replacedApiUrl = saved.token && saved.apiUrl && saved.apiUrl !== apiUrl ? saved.apiUrl : undefined
  const configFile = await updateConfig({ apiUrl, token: created.token, email: devEmail })
  return { token: created.token, created: true, configFile, replacedApiUrl }
}
