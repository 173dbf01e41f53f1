/**
 * `area login` saves a new token over the one the context held: that one is revoked on its
 * server, so a login never leaves a live token behind that nobody holds any more. Best effort: an
 * unreachable server or an already revoked token is not a reason to fail the login.
 */
import { ApiClient } from './api-client.js'
import type { StoredConfig } from './config.js'

export type ReplacedToken = 'revoked' | 'not_revoked' | 'none'

export async function revokeReplacedToken(
  previous: StoredConfig,
  newToken: string,
  fallbackApiUrl: string,
  note: (text: string) => void,
): Promise<ReplacedToken> {
  if (!previous.token || previous.token === newToken) return 'none'
  const apiUrl = previous.apiUrl ?? fallbackApiUrl
  try {
    await new ApiClient(apiUrl, previous.token).post('/v1/auth/logout')
    return 'revoked'
  } catch (error) {
    note(
      `Could not revoke the token this login replaces on ${apiUrl}: ${error instanceof Error ? error.message : String(error)}`,
    )
    return 'not_revoked'
  }
}
