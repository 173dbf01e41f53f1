/**
 * Connections (user_services): a user's credentials for one service, encrypted at rest.
 */
import type { Kysely } from 'kysely'
import { PermanentError } from '../engine/errors.js'
import type { Credentials } from '../engine/types.js'
import type { Database } from './schema.js'
import type { SecretBox } from './secret-box.js'

export async function readCredentials(
  db: Kysely<Database>,
  secrets: SecretBox,
  connectionId: string,
): Promise<Credentials> {
  const row = await db
    .selectFrom('user_services')
    .select(['name', 'status', 'status_detail', 'credentials_encrypted'])
    .where('id', '=', connectionId)
    .executeTakeFirst()
  if (!row)
    throw new PermanentError('the connection used by this AREA no longer exists', {
      code: 'connection_missing',
    })
  if (row.status !== 'active') {
    throw new PermanentError(
      `connection "${row.name}" is ${row.status.replace('_', ' ')}${row.status_detail ? `: ${row.status_detail}` : ''}; reconnect it with \`area connections add\``,
      { code: 'connection_unusable' },
    )
  }
  return JSON.parse(secrets.open(row.credentials_encrypted)) as Credentials
}
