/**
 * The OAuth 2 client of one service: endpoints from the service's `auth.oauth2` (overridable by
 * its `oauthAuthorizeUrl` / `oauthTokenUrl` settings, for GitHub Enterprise and tests) and the
 * client id and secret from its `oauthClientId` / `oauthClientSecret` settings (environment).
 */
import type { ServiceDefinition } from '../../engine/define.js'
import { AreaError } from '../../engine/errors.js'

export interface OAuthClientConfig {
  service: string
  authorizeUrl: string
  tokenUrl: string
  scopes: string[]
  clientId: string
  clientSecret: string
}

export class OAuthNotConfiguredError extends AreaError {
  constructor(message: string) {
    super('oauth_not_configured', message)
  }
}

export function oauthConfigFor(
  service: ServiceDefinition,
  settings: Readonly<Record<string, string>>,
): OAuthClientConfig {
  const oauth2 = service.auth.oauth2
  if (service.auth.kind !== 'oauth2' || !oauth2) {
    throw new OAuthNotConfiguredError(
      `service "${service.id}" does not connect through OAuth 2; add a connection with \`area connections add ${service.id} --token-stdin\``,
    )
  }
  const clientId = settings.oauthClientId ?? ''
  const clientSecret = settings.oauthClientSecret ?? ''
  if (!clientId || !clientSecret) {
    const idVar = service.settings?.oauthClientId?.env ?? `AREA_${service.id.toUpperCase()}_CLIENT_ID`
    const secretVar =
      service.settings?.oauthClientSecret?.env ?? `AREA_${service.id.toUpperCase()}_CLIENT_SECRET`
    throw new OAuthNotConfiguredError(
      `OAuth is not configured for ${service.name} on this server: set ${idVar} and ${secretVar} to the client id and secret of an OAuth app whose callback URL is <AREA_PUBLIC_URL>/v1/connections/${service.id}/callback, or add a personal token with \`area connections add ${service.id} --token-stdin\``,
    )
  }
  return {
    service: service.id,
    authorizeUrl: settings.oauthAuthorizeUrl || oauth2.authorizeUrl,
    tokenUrl: settings.oauthTokenUrl || oauth2.tokenUrl,
    scopes: oauth2.scopes,
    clientId,
    clientSecret,
  }
}
