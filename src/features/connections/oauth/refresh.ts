/**
 * The refresh the store calls for an oauth2 connection near expiry (see store/connections.ts,
 * which holds the row lock around it): the refresh_token grant at the service's token endpoint.
 */
import type { Registry } from '../../engine/registry.js'
import type { Engine } from '../../engine/run.js'
import type { RefreshConnection } from '../../store/connection-credentials.js'
import { oauthCredentials } from './credentials.js'
import { oauthConfigFor } from './oauth-config.js'
import { OAuthError, refreshTokens } from './token-endpoint.js'

export function createConnectionRefresher(
  registry: Registry,
  settingsFor: Engine['settingsFor'],
): RefreshConnection {
  return async (connection) => {
    const service = registry.service(connection.service)
    if (!service)
      throw new OAuthError('unknown_service', `service "${connection.service}" is not installed`, {
        retryable: false,
      })
    const config = oauthConfigFor(service, settingsFor(service.id))
    const refreshToken = connection.credentials.refreshToken
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new OAuthError(
        'no_refresh_token',
        'the access token expired and the provider gave no refresh token',
        {
          retryable: false,
        },
      )
    }
    const tokens = await refreshTokens(config, refreshToken)
    return { credentials: oauthCredentials(tokens, refreshToken), expiresAt: tokens.expiresAt ?? null }
  }
}
