/**
 * Loads an AREA as the engine runs it, from its action id: action, reactions in position order,
 * params and lazily decrypted connections. Two queries, whatever the number of reactions.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { AuthResolver, LoadedArea } from '../engine/area.js'
import type { SecretBox } from '../secrets/secret-box.js'
import { type RefreshConnection, readCredentials } from './connection-credentials.js'
import { actionParamRows, paramsObject, reactionParamRows } from './param-values.js'

export interface LoadedAreaWithState extends LoadedArea {
  enabled: boolean
}

export async function loadAreaByActionId(
  db: Kysely<Database>,
  areaActionId: string,
  secrets: SecretBox,
  refresh?: RefreshConnection,
): Promise<LoadedAreaWithState | undefined> {
  const action = await db
    .selectFrom('area_actions as aa')
    .innerJoin('areas as a', 'a.id', 'aa.area_id')
    .innerJoin('service_actions as sa', 'sa.id', 'aa.service_action_id')
    .innerJoin('services as s', 's.id', 'sa.service_id')
    .select([
      'aa.id as actionId',
      'aa.user_service_id as connectionId',
      'a.id as areaId',
      'a.name',
      'a.user_id as userId',
      'a.enabled',
      's.key as service',
      'sa.key as action',
      actionParamRows('aa.id').as('params'),
    ])
    .where('aa.id', '=', areaActionId)
    .executeTakeFirst()
  if (!action) return undefined

  const reactions = await db
    .selectFrom('area_reactions as ar')
    .innerJoin('service_reactions as sr', 'sr.id', 'ar.service_reaction_id')
    .innerJoin('services as s', 's.id', 'sr.service_id')
    .select([
      'ar.id',
      'ar.ref',
      'ar.position',
      'ar.user_service_id as connectionId',
      's.key as service',
      'sr.key as reaction',
      reactionParamRows('ar.id').as('params'),
    ])
    .where('ar.area_id', '=', action.areaId)
    .orderBy('ar.position')
    .execute()

  const auth = (connectionId: string | null): AuthResolver | undefined =>
    connectionId ? () => readCredentials(db, secrets, connectionId, { refresh }) : undefined
  return {
    id: action.areaId,
    name: action.name,
    userId: action.userId,
    enabled: action.enabled,
    action: {
      id: action.actionId,
      service: action.service,
      action: action.action,
      params: paramsObject(action.params),
      auth: auth(action.connectionId),
    },
    reactions: reactions.map((r) => ({
      id: r.id,
      ref: r.ref,
      position: r.position,
      service: r.service,
      reaction: r.reaction,
      params: paramsObject(r.params),
      auth: auth(r.connectionId),
    })),
  }
}
