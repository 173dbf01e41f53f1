/**
 * The connections a user manages (table user_services): list (never the credentials), create,
 * the OAuth callback's create-or-reconnect, and delete, which refuses while an AREA uses the
 * connection. Credentials arrive here sealed; reading them for a run is
 * connection-credentials.ts.
 */
import { type Kysely, sql } from 'kysely'
import type { Database, UserServiceStatus } from '../db/schema.js'

export interface ConnectionInfo {
  id: string
  name: string
  service: string
  /** A kind the service declares (src/engine/credentials.ts), e.g. `token`, `smtp`, `oauth2`. */
  kind: string
  status: UserServiceStatus
  statusDetail: string | null
  tokenExpiresAt: Date | null
  createdAt: Date
}

export async function listConnections(db: Kysely<Database>, userId: string): Promise<ConnectionInfo[]> {
  return db
    .selectFrom('user_services as us')
    .innerJoin('services as s', 's.id', 'us.service_id')
    .select([
      'us.id',
      'us.name',
      's.key as service',
      'us.kind',
      'us.status',
      'us.status_detail as statusDetail',
      'us.token_expires_at as tokenExpiresAt',
      'us.created_at as createdAt',
    ])
    .where('us.user_id', '=', userId)
    .orderBy('us.name')
    .execute()
}

export interface NewConnection {
  userId: string
  serviceId: string
  name: string
  kind: string
  /** Already sealed: this module never sees credentials in clear. */
  credentialsEncrypted: string
  tokenExpiresAt?: Date | null
}

function rowOf(input: NewConnection) {
  return {
    user_id: input.userId,
    service_id: input.serviceId,
    name: input.name,
    kind: input.kind,
    credentials_encrypted: input.credentialsEncrypted,
    token_expires_at: input.tokenExpiresAt ?? null,
  }
}

/** Undefined when the user already has a connection with this name. */
export async function createConnection(
  db: Kysely<Database>,
  input: NewConnection,
): Promise<{ id: string; createdAt: Date } | undefined> {
  return db
    .insertInto('user_services')
    .values(rowOf(input))
    .onConflict((oc) => oc.columns(['user_id', 'name']).doNothing())
    .returning(['id', 'created_at as createdAt'])
    .executeTakeFirst()
}

/**
 * The OAuth callback: a new connection, or fresh tokens for an existing one of the same service
 * (reconnecting after a failed refresh keeps the AREAs that use it). Undefined when the name
 * belongs to a connection of another service, which is not overwritten.
 */
export async function saveOAuthConnection(
  db: Kysely<Database>,
  input: Omit<NewConnection, 'kind'>,
): Promise<{ id: string } | undefined> {
  return db
    .insertInto('user_services')
    .values(rowOf({ ...input, kind: 'oauth2' }))
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'name'])
        .doUpdateSet({
          kind: 'oauth2',
          credentials_encrypted: (eb) => eb.ref('excluded.credentials_encrypted'),
          token_expires_at: (eb) => eb.ref('excluded.token_expires_at'),
          status: 'active',
          status_detail: null,
          updated_at: sql`now()`,
        })
        .where('user_services.service_id', '=', input.serviceId),
    )
    .returning('id')
    .executeTakeFirst()
}

/** Fresh OAuth tokens into an existing connection (one with its own OAuth app), reactivating it. */
export async function saveConnectionTokens(
  db: Kysely<Database>,
  id: string,
  input: { credentialsEncrypted: string; tokenExpiresAt: Date | null },
): Promise<void> {
  await db
    .updateTable('user_services')
    .set({
      credentials_encrypted: input.credentialsEncrypted,
      token_expires_at: input.tokenExpiresAt,
      status: 'active',
      status_detail: null,
      refresh_lease_until: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute()
}

/** Names of the user's AREAs whose action or a reaction uses the connection. */
export async function areasUsingConnection(db: Kysely<Database>, connectionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('areas as a')
    .select('a.name')
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('area_actions as aa')
            .select('aa.id')
            .whereRef('aa.area_id', '=', 'a.id')
            .where('aa.user_service_id', '=', connectionId),
        ),
        eb.exists(
          eb
            .selectFrom('area_reactions as ar')
            .select('ar.id')
            .whereRef('ar.area_id', '=', 'a.id')
            .where('ar.user_service_id', '=', connectionId),
        ),
      ]),
    )
    .orderBy('a.name')
    .execute()
  return rows.map((r) => r.name)
}

export type DeleteConnectionOutcome =
  | { outcome: 'deleted' }
  | { outcome: 'missing' }
  | { outcome: 'in_use'; areas: string[] }

/** Run inside a transaction: the row is locked so an apply cannot start using it meanwhile. */
export async function deleteConnection(
  db: Kysely<Database>,
  userId: string,
  name: string,
): Promise<DeleteConnectionOutcome> {
  const row = await db
    .selectFrom('user_services')
    .select('id')
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .forUpdate()
    .executeTakeFirst()
  if (!row) return { outcome: 'missing' }
  const areas = await areasUsingConnection(db, row.id)
  if (areas.length > 0) return { outcome: 'in_use', areas }
  await db.deleteFrom('user_services').where('id', '=', row.id).execute()
  return { outcome: 'deleted' }
}

/**
 * New credentials for an existing connection, in place: the row (and so every AREA that refers
 * to it) stays, the old sealed credentials are overwritten. Undefined when the user has no
 * connection of that name. Run inside a transaction: the row is locked first.
 */
export async function replaceCredentials(
  db: Kysely<Database>,
  userId: string,
  name: string,
  update: (current: { service: string; kind: string }) => { kind: string; credentialsEncrypted: string },
): Promise<ConnectionInfo | undefined> {
  const row = await db
    .selectFrom('user_services as us')
    .innerJoin('services as s', 's.id', 'us.service_id')
    .select(['us.id', 'us.kind', 's.key as service'])
    .where('us.user_id', '=', userId)
    .where('us.name', '=', name)
    .forUpdate('us')
    .executeTakeFirst()
  if (!row) return undefined
  const { kind, credentialsEncrypted } = update({ service: row.service, kind: row.kind })
  const saved = await db
    .updateTable('user_services')
    .set({
      kind,
      credentials_encrypted: credentialsEncrypted,
      token_expires_at: null,
      status: 'active',
      status_detail: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', row.id)
    .returning(['id', 'name', 'kind', 'status', 'status_detail as statusDetail', 'created_at as createdAt'])
    .executeTakeFirstOrThrow()
  return { ...saved, service: row.service, tokenExpiresAt: null }
}
