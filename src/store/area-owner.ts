/** Who owns the AREA of an action: the key of the worker's per-user share. */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

export async function findAreaOwner(db: Kysely<Database>, areaActionId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('area_actions')
    .innerJoin('areas', 'areas.id', 'area_actions.area_id')
    .select('areas.user_id')
    .where('area_actions.id', '=', areaActionId)
    .executeTakeFirst()
  return row?.user_id
}
