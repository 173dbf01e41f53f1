/**
 * Connections a user adds by hand (the fields the service declares) or lists and removes. Each
 * change is one transaction with its audit row; credentials are checked, then sealed before
 * they reach the store. OAuth 2 connections are made in authorize.ts.
 */
import { declaredCredentials, oauth2Kind } from '../../engine/credentials.js'
import type { ServiceDefinition } from '../../engine/define.js'
import { AreaError } from '../../engine/errors.js'
import { recordAudit } from '../../store/audit.js'
import { serviceRowId } from '../../store/catalog.js'
import {
  type ConnectionInfo,
  createConnection,
  deleteConnection,
  listConnections as listStored,
  replaceCredentials,
} from '../../store/connections.js'
import type { FeatureContext } from '../context.js'
import { checkNewCredentials } from './check-credentials.js'

export type { ConnectionInfo } from '../../store/connections.js'

type Context = Pick<FeatureContext, 'store' | 'secrets' | 'registry'>

export function listConnections(
  ctx: Pick<FeatureContext, 'store'>,
  userId: string,
): Promise<ConnectionInfo[]> {
  return listStored(ctx.store.db, userId)
}

export interface NewConnectionInput {
  service: string
  /** Default: the service id. */
  name?: string
  kind: string
  credentials: Readonly<Record<string, unknown>>
}

export async function addConnection(
  ctx: Context,
  userId: string,
  input: NewConnectionInput,
): Promise<ConnectionInfo> {
  const service = serviceOf(ctx, input.service)
  const name = input.name ?? service.id
  const { kind } = input
  const credentials = checkNewCredentials(service, kind, input.credentials)
  const created = await ctx.store.db.transaction().execute(async (trx) => {
    const made = await createConnection(trx, {
      userId,
      serviceId: await serviceRowId(trx, service.id),
      name,
      kind,
      credentialsEncrypted: ctx.secrets.seal(JSON.stringify(credentials)),
    })
    if (!made) {
      throw new AreaError(
        'connection_exists',
        `you already have a connection named "${name}": pick another with --name, or remove it first with \`area connections remove ${name}\``,
      )
    }
    await recordAudit(trx, {
      userId,
      action: 'connection.created',
      target: `connection/${name}`,
      metadata: { service: service.id, kind },
    })
    return made
  })
  return {
    id: created.id,
    name,
    service: service.id,
    kind,
    status: 'active',
    statusDetail: null,
    tokenExpiresAt: null,
    createdAt: created.createdAt,
  }
}

export interface CredentialsUpdate {
  /** Default: the connection's kind (the kind the service declares for an OAuth one). */
  kind?: string
  credentials: Readonly<Record<string, unknown>>
}

/**
 * New credentials in place: the AREAs that use the connection keep it and read the new
 * credentials on their next run (credentials are opened per run, connection-credentials.ts).
 */
export async function updateConnection(
  ctx: Context,
  userId: string,
  name: string,
  input: CredentialsUpdate,
): Promise<ConnectionInfo> {
  const updated = await ctx.store.db.transaction().execute(async (trx) => {
    const saved = await replaceCredentials(trx, userId, name, ({ service: id, kind: current }) => {
      const service = serviceOf(ctx, id)
      // Kept when not named: an http connection stays a bearer one when its token is rotated.
      const kind = input.kind ?? (current === oauth2Kind ? declaredKindOf(service) : current)
      const credentials = checkNewCredentials(service, kind, input.credentials)
      return { kind, credentialsEncrypted: ctx.secrets.seal(JSON.stringify(credentials)) }
    })
    if (!saved) {
      throw new AreaError(
        'connection_not_found',
        `you have no connection named "${name}" (see \`area connections list\`)`,
      )
    }
    await recordAudit(trx, {
      userId,
      action: 'connection.updated',
      target: `connection/${name}`,
      metadata: { service: saved.service, kind: saved.kind },
    })
    return saved
  })
  return updated
}

function declaredKindOf(service: ServiceDefinition): string {
  const declared = declaredCredentials(service)
  if (!declared) {
    throw new AreaError(
      'bad_request',
      `service "${service.id}" needs no connection: its actions and reactions take what they need as params`,
    )
  }
  return declared.kind
}

/** Refused while an AREA uses the connection: the row is locked so no apply starts using it meanwhile. */
export async function removeConnection(ctx: Pick<FeatureContext, 'store'>, userId: string, name: string) {
  await ctx.store.db.transaction().execute(async (trx) => {
    const result = await deleteConnection(trx, userId, name)
    if (result.outcome === 'missing') {
      throw new AreaError(
        'connection_not_found',
        `you have no connection named "${name}" (see \`area connections list\`)`,
      )
    }
    if (result.outcome === 'in_use') {
      const list = result.areas.map((a) => `"${a}"`).join(', ')
      throw new AreaError(
        'connection_in_use',
        `connection "${name}" is used by ${result.areas.length === 1 ? 'AREA' : 'AREAs'} ${list}: delete them or apply them with another connection first`,
      )
    }
    await recordAudit(trx, { userId, action: 'connection.deleted', target: `connection/${name}` })
  })
}

export function serviceOf(ctx: Pick<FeatureContext, 'registry'>, id: string): ServiceDefinition {
  const service = ctx.registry.service(id)
  if (!service) throw new AreaError('service_not_found', `no service "${id}" (see \`area services list\`)`)
  return service
}
