/**
 * Loads an AREA as the engine runs it, from its action id: action, reactions in position order,
 * params (secret ones opened: the worker is about to run them) and lazily decrypted connections.
 * Two queries, whatever the number of reactions.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { type AuthResolver, type LoadedArea, resolvePolicy } from '../engine/area.js'
import type { SecretBox } from '../secrets/secret-box.js'
import { areaActionColumns, fromAreaActions } from './area-joins.js'
import { openCredentialsForRun, type RefreshConnection } from './connection-credentials.js'
import { paramsObject, reactionParamRows } from './param-values.js'

export interface LoadedAreaWithState extends LoadedArea {
  enabled: boolean
}

export async function loadAreaByActionId(
  db: Kysely<Database>,
  areaActionId: string,
  secrets: SecretBox,
  refresh?: RefreshConnection,
): Promise<LoadedAreaWithState | undefined> {
  const action = await fromAreaActions(db)
    .select([
      'aa.id as actionId',
      'aa.user_service_id as connectionId',
      'aa.condition',
      'a.name',
      ...areaActionColumns,
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
      'ar.phase',
      'ar.policy',
      'ar.user_service_id as connectionId',
      's.key as service',
      'sr.key as reaction',
      reactionParamRows('ar.id').as('params'),
    ])
    .where('ar.area_id', '=', action.areaId)
    .orderBy('ar.position')
    .execute()

  const auth = (connectionId: string | null): AuthResolver | undefined =>
    connectionId ? () => openCredentialsForRun(db, secrets, connectionId, { refresh }) : undefined
  return {
    id: action.areaId,
    name: action.name,
    userId: action.userId,
    enabled: action.enabled,
    action: {
      id: action.actionId,
      service: action.service,
      action: action.action,
      params: paramsObject(action.params, secrets),
      auth: auth(action.connectionId),
      ...(action.condition ? { when: action.condition } : {}),
    },
    reactions: reactions.map((r, i) => ({
      id: r.id,
      ref: r.ref,
      position: r.position,
      phase: r.phase,
      // The reaction above in the same phase (rows are in position order, main ones first).
      policy: resolvePolicy(
        r.policy,
        reactions[i - 1]?.phase === r.phase ? reactions[i - 1]?.ref : undefined,
      ),
      service: r.service,
      reaction: r.reaction,
      params: paramsObject(r.params, secrets),
      auth: auth(r.connectionId),
    })),
  }
}
