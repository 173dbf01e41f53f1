/** Bulk fixtures written with SQL, for tests and benchmarks that need many rows fast. */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../../src/db/schema.js'

export async function createUser(db: Kysely<Database>, email: string): Promise<string> {
  const row = await db.insertInto('users').values({ email }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

/**
 * `count` AREAs `<prefix>-<n>` with a `timer.every` action polled every `intervalSeconds`, due at
 * `dueAt`, each with one http reaction to `sinkUrl`. Needs the catalog synced.
 */
export async function seedPollingAreas(
  db: Kysely<Database>,
  options: {
    userId: string
    count: number
    prefix: string
    intervalSeconds: number
    dueAt: Date
    sinkUrl: string
  },
): Promise<void> {
  const { userId, count, prefix, intervalSeconds, dueAt, sinkUrl } = options
  const interval = `${intervalSeconds}s`
  const spec = (n: string) => sql`jsonb_build_object(
    'apiVersion', 'area/v1', 'kind', 'Area', 'metadata', jsonb_build_object('name', ${prefix} || '-' || ${sql.raw(n)}),
    'spec', jsonb_build_object('enabled', true,
      'action', jsonb_build_object('service', 'timer', 'action', 'every', 'trigger', 'polling',
        'params', jsonb_build_object('interval', ${interval}::text)),
      'reactions', jsonb_build_array(jsonb_build_object('id', 'post', 'service', 'http', 'reaction', 'request',
        'params', jsonb_build_object('url', ${sinkUrl}::text)))))`
  await sql`
    with new_areas as (
      insert into area.areas (user_id, name, spec, spec_hash)
      select ${userId}::uuid, ${prefix} || '-' || n, ${spec('n')}, 'seed-' || n
      from generate_series(1, ${count}::int) as n
      returning id
    ),
    actions as (
      insert into area.area_actions (area_id, service_action_id, trigger_type)
      select a.id, (select sa.id from area.service_actions sa join area.services s on s.id = sa.service_id
                    where s.key = 'timer' and sa.key = 'every'), 'polling'
      from new_areas a
      returning id, area_id
    ),
    action_params as (
      insert into area.area_action_param_values (area_action_id, name, value)
      select id, 'interval', to_jsonb(${interval}::text) from actions
    ),
    reactions as (
      insert into area.area_reactions (area_id, service_reaction_id, position, ref)
      select area_id, (select sr.id from area.service_reactions sr join area.services s on s.id = sr.service_id
                       where s.key = 'http' and sr.key = 'request'), 0, 'post'
      from actions
      returning id
    ),
    reaction_params as (
      insert into area.area_reaction_param_values (area_reaction_id, name, value)
      select id, 'url', to_jsonb(${sinkUrl}::text) from reactions
    )
    insert into area.hook_jobs (area_action_id, type, polling_interval_seconds, next_run_at, baseline_done)
    select id, 'polling', ${intervalSeconds}::int, ${dueAt}::timestamptz, false from actions
  `.execute(db)
}
