/**
 * The refresh the store calls for an oauth2 connection near expiry (see
 * store/connection-credentials.ts, which holds the row lock around it): the refresh_token grant
 * at the service's token endpoint. The daemon hands it to the worker.
 */

import { declaredCredentials } from '../../../engine/credentials.js'
import type { Registry } from '../../../engine/registry.js'
import type { Engine } from '../../../engine/run.js'
import type { RefreshConnection } from '../../../store/connection-credentials.js'
import { oauthClientFor } from './client.js'
import { ownClientOf } from './own-client.js'
import { storedTokens, withoutTokens } from './stored-tokens.js'
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
    // A connection with its own OAuth app (http's oauth2_code) refreshes with that app.
    const own = declaredCredentials(service)?.oauth2
      ? undefined
      : ownClientOf(service.id, connection.credentials)
    const config = own ?? oauthClientFor(service, settingsFor(service.id))
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
    const credentials = storedTokens(tokens, refreshToken)
    return {
      credentials: own ? { ...withoutTokens(connection.credentials), ...credentials } : credentials,
      expiresAt: tokens.expiresAt ?? null,
    }
  }
}
