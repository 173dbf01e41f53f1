/**
 * A connection that carries its own OAuth 2 app (http's `oauth2_code`: any provider, its
 * authorize and token URLs, client id and secret, scopes, given by the user): the flow and the
 * refresh read the client from the connection instead of the server's AREA_<ID>_CLIENT_*
 * settings. The tokens are stored beside the app in the same sealed credentials.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema.js'
import type { Credentials, JsonObject } from '../../../engine/types.js'
import type { SecretBox } from '../../../secrets/secret-box.js'
import type { OAuthClientConfig } from './client.js'

/** The connection's own client, when its credentials hold one. */
export function ownClientOf(service: string, credentials: Credentials): OAuthClientConfig | undefined {
  const { authorizeUrl, tokenUrl, clientId, clientSecret, scopes } = credentials
  if (
    typeof authorizeUrl !== 'string' ||
    typeof tokenUrl !== 'string' ||
    typeof clientId !== 'string' ||
    typeof clientSecret !== 'string'
  )
    return undefined
  return {
    service,
    authorizeUrl,
    tokenUrl,
    clientId,
    clientSecret,
    scopes: typeof scopes === 'string' ? scopes.split(/\s+/).filter(Boolean) : [],
  }
}

/** The user's connection of that name for that service, opened, when it carries its own client. */
export async function ownClientConnection(
  db: Kysely<Database>,
  secrets: SecretBox,
  userId: string,
  service: string,
  name: string,
): Promise<{ id: string; credentials: JsonObject; client: OAuthClientConfig } | undefined> {
  const row = await db
    .selectFrom('user_services as us')
    .innerJoin('services as s', 's.id', 'us.service_id')
    .select(['us.id', 'us.credentials_encrypted'])
    .where('us.user_id', '=', userId)
    .where('us.name', '=', name)
    .where('s.key', '=', service)
    .executeTakeFirst()
  if (!row) return undefined
  const credentials = JSON.parse(secrets.open(row.credentials_encrypted)) as JsonObject
  const client = ownClientOf(service, credentials)
  return client ? { id: row.id, credentials, client } : undefined
}
