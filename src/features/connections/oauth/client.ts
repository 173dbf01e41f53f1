/**
 * The OAuth 2 client of one service: the endpoints and scopes of its OAuth block, and the client
 * id and secret of the settings that block brings (AREA_<ID>_CLIENT_ID and so on, see
 * `oauthSettings` in src/engine/credentials.ts).
 */
import { declaredCredentials, oauthClientSettings } from '../../../engine/credentials.js'
import type { ServiceDefinition } from '../../../engine/define.js'
import { AreaError } from '../../../engine/errors.js'

export interface OAuthClientConfig {
  service: string
  authorizeUrl: string
  tokenUrl: string
  scopes: readonly string[]
  clientId: string
  clientSecret: string
}

export class OAuthNotConfiguredError extends AreaError {
  constructor(message: string) {
    super('oauth_not_configured', message)
  }
}

export function oauthClientFor(
  service: ServiceDefinition,
  settings: Readonly<Record<string, string>>,
): OAuthClientConfig {
  const oauth2 = declaredCredentials(service)?.oauth2
  const client = oauthClientSettings(service, settings)
  if (!oauth2 || !client) {
    throw new OAuthNotConfiguredError(
      `service "${service.id}" does not connect through OAuth 2; add a connection with \`area connections add ${service.id} --token-stdin\``,
    )
  }
  if (!client.clientId || !client.clientSecret) {
    throw new OAuthNotConfiguredError(
      `OAuth is not configured for ${service.name} on this server: set ${client.clientIdEnv} and ${client.clientSecretEnv} to the client id and secret of an OAuth app whose callback URL is <AREA_PUBLIC_URL>/v1/connections/${service.id}/callback, or add a personal token with \`area connections add ${service.id} --token-stdin\``,
    )
  }
  return {
    service: service.id,
    authorizeUrl: client.authorizeUrl,
    tokenUrl: client.tokenUrl,
    scopes: oauth2.scopes,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
  }
}

/** Whether `area connections add <service> --web` can work on this server (the catalog says). */
export function oauthConfigured(
  service: ServiceDefinition,
  settings: Readonly<Record<string, string>>,
): boolean {
  const client = oauthClientSettings(service, settings)
  return client !== undefined && client.clientId !== '' && client.clientSecret !== ''
}
