/**
 * Params of an AREA's action or reaction as stored (one row per name), fetched as one JSON array
 * inside the query that selects the node, and turned back into the params object.
 */
import { sql } from 'kysely'
import type { JsonObject } from '../engine/types.js'

interface ParamValueRow {
  name: string
  value: unknown
}

/** The param rows of the action whose id is the column `actionId` (e.g. `aa.id`). */
export const actionParamRows = (actionId: string) =>
  sql<ParamValueRow[] | null>`(select json_agg(p) from area.area_action_param_values p
    where p.area_action_id = ${sql.ref(actionId)})`

/** The param rows of the reaction whose id is the column `reactionId` (e.g. `ar.id`). */
export const reactionParamRows = (reactionId: string) =>
  sql<ParamValueRow[] | null>`(select json_agg(p) from area.area_reaction_param_values p
    where p.area_reaction_id = ${sql.ref(reactionId)})`

export function paramsObject(rows: readonly ParamValueRow[] | null): JsonObject {
  const params: JsonObject = {}
  for (const row of rows ?? []) params[row.name] = row.value as JsonObject[string]
  return params
}
