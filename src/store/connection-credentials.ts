/**
 * A connection's credentials opened for a run: the worker hands them to a service through
 * `ctx.auth`. They are stored sealed (user_services.credentials_encrypted); managing connections
 * is connections.ts.
 *
 * An OAuth 2 connection whose access token expires soon is refreshed here, before the worker
 * hands it to a service, so the engine never knows about tokens. The refresh itself (HTTP) is
 * passed in by the daemon: this module only decides when, and makes sure one process at a time
 * refreshes a connection: the row is locked (`for update`) and its expiry checked again once the
 * lock is held, so a process that waited uses the tokens the first one stored.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { PermanentError, RetryableError } from '../engine/errors.js'
import type { Credentials } from '../engine/types.js'
import type { SecretBox } from '../secrets/secret-box.js'

/** Refresh tokens that expire within this window (and expired ones). */
export const refreshWindowMs = 60_000

export interface ConnectionToRefresh {
  id: string
  name: string
  service: string
  credentials: Credentials
}

export interface RefreshedConnection {
  credentials: Credentials
  expiresAt: Date | null
}

/**
 * Gets new credentials from the provider. Throw an error with `retryable: true` for a failure
 * that may pass (network, 5xx): the run is retried and the connection stays active. Any other
 * error marks the connection `refresh_failed`.
 */
export type RefreshConnection = (connection: ConnectionToRefresh) => Promise<RefreshedConnection>

export interface OpenCredentialsOptions {
  refresh?: RefreshConnection
  now?: () => number
}

/** Opens an active connection's credentials, refreshing its OAuth tokens first when they expire soon. */
export async function openCredentialsForRun(
  db: Kysely<Database>,
  secrets: SecretBox,
  connectionId: string,
  options: OpenCredentialsOptions = {},
): Promise<Credentials> {
  const now = options.now ?? Date.now
  const row = await selectConnection(db, connectionId)
  if (!row) throw missingConnection()
  if (row.status !== 'active') throw unusable(row)
  if (options.refresh && row.kind === 'oauth2' && expiresSoon(row.token_expires_at, now())) {
    return refreshLocked(db, secrets, connectionId, options.refresh, now)
  }
  return JSON.parse(secrets.open(row.credentials_encrypted)) as Credentials
}

type Outcome =
  | { kind: 'credentials'; credentials: Credentials }
  | { kind: 'missing' }
  | { kind: 'unusable'; row: { name: string; service: string; status: string; status_detail: string | null } }
  | { kind: 'retry'; error: Error }

async function refreshLocked(
  db: Kysely<Database>,
  secrets: SecretBox,
  connectionId: string,
  refresh: RefreshConnection,
  now: () => number,
): Promise<Credentials> {
  const outcome = await db.transaction().execute(async (trx): Promise<Outcome> => {
    const row = await selectConnection(trx, connectionId, { lock: true })
    if (!row) return { kind: 'missing' }
    if (row.status !== 'active') return { kind: 'unusable', row }
    const credentials = JSON.parse(secrets.open(row.credentials_encrypted)) as Credentials
    // Another process refreshed while this one waited for the lock.
    if (!expiresSoon(row.token_expires_at, now())) return { kind: 'credentials', credentials }
    try {
      const refreshed = await refresh({ id: connectionId, name: row.name, service: row.service, credentials })
      await trx
        .updateTable('user_services')
        .set({
          credentials_encrypted: secrets.seal(JSON.stringify(refreshed.credentials)),
          token_expires_at: refreshed.expiresAt,
          status_detail: null,
          updated_at: new Date(now()),
        })
        .where('id', '=', connectionId)
        .execute()
      return { kind: 'credentials', credentials: refreshed.credentials }
    } catch (error) {
      if ((error as { retryable?: boolean }).retryable === true)
        return { kind: 'retry', error: error as Error }
      const detail = `the token refresh failed: ${(error as Error).message}`
      await trx
        .updateTable('user_services')
        .set({ status: 'refresh_failed', status_detail: detail, updated_at: new Date(now()) })
        .where('id', '=', connectionId)
        .execute()
      return { kind: 'unusable', row: { ...row, status: 'refresh_failed', status_detail: detail } }
    }
  })
  switch (outcome.kind) {
    case 'credentials':
      return outcome.credentials
    case 'missing':
      throw missingConnection()
    case 'unusable':
      throw unusable(outcome.row)
    case 'retry':
      throw new RetryableError(
        `the connection's token could not be refreshed now: ${outcome.error.message}`,
        {
          code: 'connection_refresh_unavailable',
        },
      )
  }
}

function selectConnection(db: Kysely<Database>, id: string, options: { lock?: boolean } = {}) {
  const query = db
    .selectFrom('user_services as us')
    .innerJoin('services as s', 's.id', 'us.service_id')
    .select([
      'us.name',
      'us.kind',
      'us.status',
      'us.status_detail',
      'us.credentials_encrypted',
      'us.token_expires_at',
      's.key as service',
    ])
    .where('us.id', '=', id)
  return (options.lock ? query.forUpdate('us') : query).executeTakeFirst()
}

function expiresSoon(expiresAt: Date | null, now: number): boolean {
  return expiresAt !== null && expiresAt.getTime() - now <= refreshWindowMs
}

function missingConnection(): PermanentError {
  return new PermanentError('the connection used by this AREA no longer exists', {
    code: 'connection_missing',
  })
}

function unusable(row: {
  name: string
  service: string
  status: string
  status_detail: string | null
}): PermanentError {
  const how =
    row.status === 'refresh_failed'
      ? `area connections add ${row.service} --name ${row.name} --web`
      : `area connections add ${row.service} --name ${row.name}`
  return new PermanentError(
    `connection "${row.name}" needs to be reconnected: ${how} (it is ${row.status.replace('_', ' ')}${row.status_detail ? `: ${row.status_detail}` : ''})`,
    { code: 'connection_unusable' },
  )
}
