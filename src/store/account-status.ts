/**
 * One account's counts for `GET /v1/status`: AREAs, failing AREAs (latest event failed, or the
 * trigger failing to poll), recent events, connections.
 */
import { type Kysely, sql } from 'kysely'
import type { Database, HookLogStatus } from '../db/schema.js'
import { eventStatuses } from './logs.js'

export interface AccountCounts {
  areas: { total: number; enabled: number; disabled: number; failing: number }
  events24h: Record<HookLogStatus, number>
  connections: number
}

export async function accountCounts(
  db: Kysely<Database>,
  userId: string,
  now = new Date(),
): Promise<AccountCounts> {
  const since = new Date(now.getTime() - 24 * 3600_000)
  const [areas, failing, events, connections] = await Promise.all([
    db
      .selectFrom('areas')
      .select([sql<string>`count(*)`.as('total'), sql<string>`count(*) filter (where enabled)`.as('enabled')])
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
    // An AREA is failing when its latest event failed or its trigger is failing to poll. Failed
    // polls are hook_logs rows too (kind 'poll_failure'), but the hook job says whether the poll
    // still fails: a successful poll clears it without writing a row, so those rows are left out.
    db
      .selectFrom('areas as a')
      .select(sql<string>`count(*)`.as('n'))
      .where('a.user_id', '=', userId)
      .where((eb) =>
        eb.or([
          eb(
            eb
              .selectFrom('hook_logs as l')
              .select('l.status')
              .whereRef('l.area_id', '=', 'a.id')
              .where('l.kind', '=', 'event')
              .orderBy('l.detected_at', 'desc')
              .limit(1),
            '=',
            'failed',
          ),
          eb.exists(
            eb
              .selectFrom('hook_jobs as h')
              .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
              .select('h.id')
              .whereRef('aa.area_id', '=', 'a.id')
              .where('h.failing_since', 'is not', null),
          ),
        ]),
      )
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('hook_logs')
      .select(['status', sql<string>`count(*)`.as('n')])
      .where('user_id', '=', userId)
      .where('detected_at', '>=', since)
      .groupBy('status')
      .execute(),
    db
      .selectFrom('user_services')
      .select(sql<string>`count(*)`.as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  ])
  const total = Number(areas.total)
  const enabled = Number(areas.enabled)
  const events24h = Object.fromEntries(eventStatuses.map((s) => [s, 0])) as Record<HookLogStatus, number>
  for (const row of events) events24h[row.status] = Number(row.n)
  return {
    areas: { total, enabled, disabled: total - enabled, failing: Number(failing.n) },
    events24h,
    connections: Number(connections.n),
  }
}
