/**
 * Params of an AREA's action or reaction as stored (one row per name), fetched as one JSON array
 * inside the query that selects the node, and turned back into the params object. A param that
 * holds a secret has its shown form in `value` and the whole param sealed in `sealed`
 * (docs/architecture.md, "Secret params"): only the worker opens it.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import { canonicalJson } from '../engine/canonical-json.js'
import { collectSecrets } from '../engine/secret-params.js'
import type { JsonObject, JsonValue } from '../engine/types.js'
import type { SecretBox } from '../secrets/secret-box.js'

interface ParamValueRow {
  name: string
  value: unknown
  sealed?: string | null
}

/** The param rows of the action whose id is the column `actionId` (e.g. `aa.id`). */
export const actionParamRows = (actionId: string) =>
  sql<ParamValueRow[] | null>`(select json_agg(p) from area.area_action_param_values p
    where p.area_action_id = ${sql.ref(actionId)})`

/** The param rows of the reaction whose id is the column `reactionId` (e.g. `ar.id`). */
export const reactionParamRows = (reactionId: string) =>
  sql<ParamValueRow[] | null>`(select json_agg(p) from area.area_reaction_param_values p
    where p.area_reaction_id = ${sql.ref(reactionId)})`

/**
 * The params object. With `secrets` (the worker, about to run), sealed params are opened;
 * without, every param is its shown form, secrets redacted.
 */
export function paramsObject(rows: readonly ParamValueRow[] | null, secrets?: SecretBox): JsonObject {
  const params: JsonObject = {}
  for (const row of rows ?? []) {
    params[row.name] =
      secrets && row.sealed ? (JSON.parse(secrets.open(row.sealed)) as JsonValue) : (row.value as JsonValue)
  }
  return params
}

/** A param as stored: its shown form, and the whole param sealed when the two differ. */
export function storedParam(
  shown: JsonValue | undefined,
  plain: JsonValue,
  secrets: SecretBox,
): { value: JsonValue; sealed: string | null } {
  if (shown === undefined || canonicalJson(shown) === canonicalJson(plain))
    return { value: plain, sealed: null }
  return { value: shown, sealed: secrets.seal(JSON.stringify(plain)) }
}

/**
 * The secrets an AREA holds, by fingerprint: what a placeholder in a re-applied document stands
 * for. Opened only while an apply is planned; never returned to anyone.
 */
export async function findHeldSecrets(
  db: Kysely<Database>,
  areaId: string,
  secrets: SecretBox,
): Promise<Map<string, JsonValue>> {
  const rows = await db
    .selectFrom('area_action_param_values as p')
    .innerJoin('area_actions as aa', 'aa.id', 'p.area_action_id')
    .select(['p.value', 'p.sealed'])
    .where('aa.area_id', '=', areaId)
    .where('p.sealed', 'is not', null)
    .unionAll(
      db
        .selectFrom('area_reaction_param_values as p')
        .innerJoin('area_reactions as ar', 'ar.id', 'p.area_reaction_id')
        .select(['p.value', 'p.sealed'])
        .where('ar.area_id', '=', areaId)
        .where('p.sealed', 'is not', null),
    )
    .execute()
  const held = new Map<string, JsonValue>()
  for (const row of rows) {
    if (row.sealed)
      collectSecrets(row.value as JsonValue, JSON.parse(secrets.open(row.sealed)) as JsonValue, held)
  }
  return held
}
