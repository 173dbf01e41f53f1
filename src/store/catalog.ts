/**
 * Catalog sync: the registry is the truth, the catalog tables are its copy for the API and for
 * foreign keys. Idempotent; entries that left the registry are marked unavailable, not deleted,
 * because AREAs may still reference them.
 */
import type { TObject, TSchema } from '@sinclair/typebox'
import { type Kysely, sql } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import { authKindOf } from '../engine/credentials.js'
import type { ActionDefinition, ReactionDefinition } from '../engine/define.js'
import { actionRequiresConnection, reactionRequiresConnection } from '../engine/define.js'
import type { Registry } from '../engine/registry.js'
import type { JsonValue } from '../engine/types.js'

export interface CatalogParam {
  name: string
  type: string
  required: boolean
  description: string
  defaultValue: JsonValue | null
  schema: JsonValue
  position: number
}

/** One row per top-level param of an object schema, in declaration order. */
export function describeParams(schema: TObject): CatalogParam[] {
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties).map(([name, property], position) => ({
    name,
    type: paramType(property),
    required: required.has(name),
    description: (property.description as string | undefined) ?? '',
    defaultValue: (property.default as JsonValue | undefined) ?? null,
    schema: plain(property),
    position,
  }))
}

function paramType(schema: TSchema): string {
  if (Array.isArray(schema.anyOf)) {
    const consts = (schema.anyOf as TSchema[]).map((s) => s.const)
    if (consts.every((c) => typeof c === 'string')) return 'enum'
    return (schema.anyOf as TSchema[]).map(paramType).join(' | ')
  }
  if (typeof schema.type === 'string') return schema.type
  return 'any'
}

/** TypeBox schemas carry symbol keys; the JSON copy keeps only the JSON Schema. */
function plain(schema: TSchema): JsonValue {
  return JSON.parse(JSON.stringify(schema)) as JsonValue
}

/** The catalog row of a registered service, which connections reference. */
export async function serviceRowId(db: Kysely<Database>, key: string): Promise<string> {
  const row = await db.selectFrom('services').select('id').where('key', '=', key).executeTakeFirstOrThrow()
  return row.id
}

const catalogLock = 7_261_126_001

export async function syncCatalog(db: Kysely<Database>, registry: Registry): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Replicas start together; one sync at a time keeps row locks from interleaving.
    await sql`select pg_advisory_xact_lock(${catalogLock})`.execute(trx)
    const keys = registry.services.map((s) => s.id)
    for (const service of registry.services) {
      const { id: serviceId } = await trx
        .insertInto('services')
        .values({
          key: service.id,
          display_name: service.name,
          description: service.description,
          auth_kind: authKindOf(service),
          available: true,
        })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            display_name: eb.ref('excluded.display_name'),
            description: eb.ref('excluded.description'),
            auth_kind: eb.ref('excluded.auth_kind'),
            available: true,
            updated_at: sql`now()`,
          })),
        )
        .returning('id')
        .executeTakeFirstOrThrow()
      for (const action of service.actions) {
        await syncAction(trx, serviceId, action, actionRequiresConnection(service, action))
      }
      for (const reaction of service.reactions) {
        await syncReaction(trx, serviceId, reaction, reactionRequiresConnection(service, reaction))
      }
      await markMissing(trx, 'service_actions', serviceId, service.actions)
      await markMissing(trx, 'service_reactions', serviceId, service.reactions)
    }
    let missing = trx.updateTable('services').set({ available: false, updated_at: sql`now()` })
    if (keys.length) missing = missing.where('key', 'not in', keys)
    await missing.where('available', '=', true).execute()
  })
}

async function syncAction(
  trx: Kysely<Database>,
  serviceId: string,
  action: ActionDefinition,
  requiresConnection: boolean,
) {
  const { id } = await trx
    .insertInto('service_actions')
    .values({
      service_id: serviceId,
      key: action.id,
      display_name: action.name,
      description: action.description,
      polling_supported: action.polling !== undefined,
      webhook_supported: action.webhook !== undefined,
      requires_connection: requiresConnection,
      default_polling_interval_seconds: action.polling?.defaultIntervalSeconds ?? null,
      params_schema: toJson(plain(action.params)),
      available: true,
    })
    .onConflict((oc) =>
      oc.columns(['service_id', 'key']).doUpdateSet((eb) => ({
        display_name: eb.ref('excluded.display_name'),
        description: eb.ref('excluded.description'),
        polling_supported: eb.ref('excluded.polling_supported'),
        webhook_supported: eb.ref('excluded.webhook_supported'),
        requires_connection: eb.ref('excluded.requires_connection'),
        default_polling_interval_seconds: eb.ref('excluded.default_polling_interval_seconds'),
        params_schema: eb.ref('excluded.params_schema'),
        available: true,
        updated_at: sql`now()`,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow()
  await syncParams(trx, 'action', id, describeParams(action.params))
}

async function syncReaction(
  trx: Kysely<Database>,
  serviceId: string,
  reaction: ReactionDefinition,
  requiresConnection: boolean,
) {
  const { id } = await trx
    .insertInto('service_reactions')
    .values({
      service_id: serviceId,
      key: reaction.id,
      display_name: reaction.name,
      description: reaction.description,
      requires_connection: requiresConnection,
      params_schema: toJson(plain(reaction.params)),
      available: true,
    })
    .onConflict((oc) =>
      oc.columns(['service_id', 'key']).doUpdateSet((eb) => ({
        display_name: eb.ref('excluded.display_name'),
        description: eb.ref('excluded.description'),
        requires_connection: eb.ref('excluded.requires_connection'),
        params_schema: eb.ref('excluded.params_schema'),
        available: true,
        updated_at: sql`now()`,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow()
  await syncParams(trx, 'reaction', id, describeParams(reaction.params))
}

// The two params tables differ only in their owner column.
const paramTables = {
  action: { table: 'area.service_action_params', owner: 'service_action_id' },
  reaction: { table: 'area.service_reaction_params', owner: 'service_reaction_id' },
} as const

/** Upserts the params of one action or reaction and deletes the ones it no longer declares. */
async function syncParams(
  trx: Kysely<Database>,
  kind: keyof typeof paramTables,
  ownerId: string,
  params: CatalogParam[],
): Promise<void> {
  const table = sql.table(paramTables[kind].table)
  const owner = sql.ref(paramTables[kind].owner)
  for (const param of params) {
    const columns = paramColumns(param)
    await sql`
      insert into ${table} (${owner}, name, type, required, description, default_value, schema, position)
      values (${ownerId}, ${columns.name}, ${columns.type}, ${columns.required}, ${columns.description},
              ${columns.default_value}, ${columns.schema}, ${columns.position})
      on conflict (${owner}, name) do update set
        type = excluded.type, required = excluded.required, description = excluded.description,
        default_value = excluded.default_value, schema = excluded.schema, position = excluded.position
    `.execute(trx)
  }
  const names = params.map((p) => p.name)
  await sql`delete from ${table} where ${owner} = ${ownerId} and not (name = any(${names}::text[]))`.execute(
    trx,
  )
}

function paramColumns(param: CatalogParam) {
  return {
    name: param.name,
    type: param.type,
    required: param.required,
    description: param.description,
    default_value: param.defaultValue === null ? null : toJson(param.defaultValue),
    schema: toJson(param.schema),
    position: param.position,
  }
}

async function markMissing(
  trx: Kysely<Database>,
  table: 'service_actions' | 'service_reactions',
  serviceId: string,
  present: readonly { id: string }[],
) {
  let query = trx
    .updateTable(table)
    .set({ available: false, updated_at: sql`now()` })
    .where('service_id', '=', serviceId)
  if (present.length)
    query = query.where(
      'key',
      'not in',
      present.map((p) => p.id),
    )
  await query.where('available', '=', true).execute()
}
