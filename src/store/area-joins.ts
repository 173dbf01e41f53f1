/**
 * The join most AREA reads start from: an AREA (`a`), its action (`aa`) and the catalog's action
 * (`sa`) and service (`s`), optionally with its trigger (`h`). Every pair is joined on its foreign
 * key, so each row is one AREA; callers add their columns and conditions.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { actionParamRows } from './param-values.js'

export function fromAreaActions(db: Kysely<Database>) {
  return db
    .selectFrom('areas as a')
    .innerJoin('area_actions as aa', 'aa.area_id', 'a.id')
    .innerJoin('service_actions as sa', 'sa.id', 'aa.service_action_id')
    .innerJoin('services as s', 's.id', 'sa.service_id')
}

/** `fromAreaActions` and the AREA's hook job: AREAs without one are left out. */
export function fromAreaTriggers(db: Kysely<Database>) {
  return fromAreaActions(db).innerJoin('hook_jobs as h', 'h.area_action_id', 'aa.id')
}

/** Columns of `fromAreaActions` that name the AREA's owner, its state and its action with params. */
export const areaActionColumns = [
  'a.id as areaId',
  'a.user_id as userId',
  'a.enabled',
  's.key as service',
  'sa.key as action',
  actionParamRows('aa.id').as('params'),
] as const
