/**
 * Rows for the worker and scheduler figures, written in bulk with SQL (generate_series): tens of
 * thousands of events, or a hundred thousand polling AREAs, in a few statements.
 */
import { sql } from 'kysely'
import { migrate } from '../src/db/migrate.js'
import { openStore, type Store } from '../src/db/open.js'
import { createRegistry } from '../src/engine/registry.js'
import type { JsonObject } from '../src/engine/types.js'
import { builtinServices } from '../src/services/index.js'
import { syncCatalog } from '../src/store/catalog.js'

async function withStore<T>(databaseUrl: string, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl })
  try {
    return await run(store)
  } finally {
    await store.close()
  }
}

/**
 * `count` received events of one webhook hook, as the ingest commits them (hook_logs rows with
 * the AREA and owner of the hook, status `received`, unprocessed); returns their ids.
 */
export async function insertHookLogs(
  databaseUrl: string,
  options: { hookJobId: string; count: number; payload: JsonObject },
): Promise<string[]> {
  return withStore(databaseUrl, async (store) => {
    const { rows } = await sql<{ id: string }>`
      insert into area.hook_logs (hook_job_id, area_id, user_id, delivery_id, event_payload)
      select h.id, a.id, a.user_id, 'bench_' || n, ${JSON.stringify(options.payload)}::jsonb
      from generate_series(1, ${options.count}::int) as n
      join area.hook_jobs h on h.id = ${options.hookJobId}::uuid
      join area.area_actions aa on aa.id = h.area_action_id
      join area.areas a on a.id = aa.area_id
      returning id`.execute(store.db)
    return rows.map((row) => row.id)
  })
}

/**
 * Migrates, syncs the catalog, and creates one user with `count` AREAs `bench-poll-<n>` whose
 * `timer.every` action polls every `intervalSeconds`, all due at `dueAt`. Only what the scheduler
 * reads is written: areas, their actions with the interval parameter, and the polling hook_jobs;
 * no reactions, as nothing runs the polls.
 */
export async function seedDuePolls(
  databaseUrl: string,
  options: { count: number; dueAt: Date; intervalSeconds: number },
): Promise<void> {
  await withStore(databaseUrl, async (store) => {
    await migrate(store)
    await syncCatalog(store.db, createRegistry(builtinServices))
    const user = await store.db
      .insertInto('users')
      .values({ email: 'scheduler@example.test' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const interval = `${options.intervalSeconds}s`
    await sql`
      with new_areas as (
        insert into area.areas (user_id, name, spec, spec_hash)
        select ${user.id}::uuid, 'bench-poll-' || n,
          jsonb_build_object('apiVersion', 'area/v1', 'kind', 'Area',
            'metadata', jsonb_build_object('name', 'bench-poll-' || n),
            'spec', jsonb_build_object('enabled', true,
              'action', jsonb_build_object('service', 'timer', 'action', 'every', 'trigger', 'polling',
                'params', jsonb_build_object('interval', ${interval}::text)),
              'reactions', '[]'::jsonb)),
          'bench-' || n
        from generate_series(1, ${options.count}::int) as n
        returning id
      ),
      actions as (
        insert into area.area_actions (area_id, service_action_id, trigger_type)
        select id, (select sa.id from area.service_actions sa join area.services s on s.id = sa.service_id
                    where s.key = 'timer' and sa.key = 'every'), 'polling'
        from new_areas
        returning id
      ),
      params as (
        insert into area.area_action_param_values (area_action_id, name, value)
        select id, 'interval', to_jsonb(${interval}::text) from actions
      )
      insert into area.hook_jobs (area_action_id, type, polling_interval_seconds, next_run_at, baseline_done)
      select id, 'polling', ${options.intervalSeconds}::int, ${options.dueAt}::timestamptz, true from actions
    `.execute(store.db)
    await sql`analyze area.hook_jobs`.execute(store.db)
  })
}
