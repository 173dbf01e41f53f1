/**
 * `area dev`'s local account: one user (dev@localhost, a random password nobody needs) and an
 * API token saved in the config file, so other terminals run `area get` with no login. The
 * saved token is reused while it still works against this server; otherwise a new one is made.
 */
import { createLocalAccountToken } from '../features/accounts/local-account.js'
import type { FeatureContext } from '../features/context.js'
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

export async function ensureDevAccount(
  ctx: Pick<FeatureContext, 'store'>,
  apiUrl: string,
): Promise<DevAccount> {
  const saved = await readConfig()
  if (saved.token && saved.apiUrl === apiUrl && saved.email === devEmail) {
    const works = await new ApiClient(apiUrl, saved.token).get('/v1/me').then(
      () => true,
      () => false,
    )
    if (works) return { token: saved.token, created: false, configFile: undefined, replacedApiUrl: undefined }
  }
  const token = await createLocalAccountToken(ctx, devEmail)
  const replacedApiUrl = saved.token && saved.apiUrl && saved.apiUrl !== apiUrl ? saved.apiUrl : undefined
  const configFile = await updateConfig({ apiUrl, token, email: devEmail })
  return { token, created: true, configFile, replacedApiUrl }
}
