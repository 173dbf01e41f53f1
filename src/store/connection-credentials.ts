/**
 * A connection's credentials opened for a run: the worker hands them to a service through
 * `ctx.auth`. They are stored sealed (user_services.credentials_encrypted); managing connections
 * is connections.ts.
 *
 * An OAuth 2 connection whose access token expires soon is refreshed here, before the worker
 * hands it to a service, so the engine never knows about tokens. The refresh itself (HTTP) is
 * passed in by the daemon: this module only decides when, and makes sure one process at a time
 * refreshes a connection. It claims the refresh with a short lease (one UPDATE, no transaction
 * held during the provider's HTTP call, so a small pool behind a pooler is never tied up waiting
 * on the network); a process that finds the lease taken waits for the tokens the first one stores
 * (docs/architecture.md, "Connections and credentials").
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
  // Only OAuth tokens have an expiry: the service's oauth2 connections and http's oauth2_code ones.
  if (options.refresh && expiresSoon(row.token_expires_at, now())) {
    return refreshUnderLease(db, secrets, connectionId, options.refresh, now)
  }
  return JSON.parse(secrets.open(row.credentials_encrypted)) as Credentials
}

/** Longer than a refresh's HTTP timeout (15 s): a lease outlives the call it covers. */
const refreshLeaseMs = 30_000
/** How often a process that found the lease taken looks for the stored tokens. */
const leaseWaitMs = 200

async function refreshUnderLease(
  db: Kysely<Database>,
  secrets: SecretBox,
  connectionId: string,
  refresh: RefreshConnection,
  now: () => number,
): Promise<Credentials> {
  const giveUpAt = now() + refreshLeaseMs
  for (;;) {
    const lease = new Date(now() + refreshLeaseMs)
    const claimed = await db
      .updateTable('user_services')
      .set({ refresh_lease_until: lease })
      .where('id', '=', connectionId)
      .where('status', '=', 'active')
      .where('token_expires_at', '<=', new Date(now() + refreshWindowMs))
      .where((eb) =>
        eb.or([eb('refresh_lease_until', 'is', null), eb('refresh_lease_until', '<', new Date(now()))]),
      )
      .returning('id')
      .executeTakeFirst()
    if (claimed) return refreshClaimed(db, secrets, connectionId, lease, refresh, now)
    // Not claimed: another process holds the lease, or it stored new tokens, or the connection changed.
    const row = await selectConnection(db, connectionId)
    if (!row) throw missingConnection()
    if (row.status !== 'active') throw unusable(row)
    if (!expiresSoon(row.token_expires_at, now()))
      return JSON.parse(secrets.open(row.credentials_encrypted)) as Credentials
    if (now() >= giveUpAt) {
      throw new RetryableError(
        "the connection's token is being refreshed by another process; the run will be retried",
        {
          code: 'connection_refresh_unavailable',
        },
      )
    }
    await new Promise((resolve) => setTimeout(resolve, leaseWaitMs))
  }
}

/** Refreshes with the lease held; every write is conditional on still holding it. */
async function refreshClaimed(
  db: Kysely<Database>,
  secrets: SecretBox,
  connectionId: string,
  lease: Date,
  refresh: RefreshConnection,
  now: () => number,
): Promise<Credentials> {
  const row = await selectConnection(db, connectionId)
  if (!row) throw missingConnection()
  const credentials = JSON.parse(secrets.open(row.credentials_encrypted)) as Credentials
  const ours = () =>
    db.updateTable('user_services').where('id', '=', connectionId).where('refresh_lease_until', '=', lease)
  let refreshed: RefreshedConnection
  try {
    refreshed = await refresh({ id: connectionId, name: row.name, service: row.service, credentials })
  } catch (error) {
    if ((error as { retryable?: boolean }).retryable === true) {
      await ours().set({ refresh_lease_until: null }).execute()
      throw new RetryableError(
        `the connection's token could not be refreshed now: ${(error as Error).message}`,
        {
          code: 'connection_refresh_unavailable',
        },
      )
    }
    const detail = `the token refresh failed: ${(error as Error).message}`
    await ours()
      .set({
        status: 'refresh_failed',
        status_detail: detail,
        refresh_lease_until: null,
        updated_at: new Date(now()),
      })
      .execute()
    throw unusable({ ...row, status: 'refresh_failed', status_detail: detail })
  }
  // Lost the lease (the call outlived it and another process refreshed too): these tokens still
  // work for this run; the stored ones are the other process's.
  await ours()
    .set({
      credentials_encrypted: secrets.seal(JSON.stringify(refreshed.credentials)),
      token_expires_at: refreshed.expiresAt,
      refresh_lease_until: null,
      status_detail: null,
      updated_at: new Date(now()),
    })
    .execute()
  return refreshed.credentials
}

function selectConnection(db: Kysely<Database>, id: string) {
  return db
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
    .executeTakeFirst()
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
