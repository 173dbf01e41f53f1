/**
 * AREAs as the API reads them: lists (by name, for cursor pagination), one AREA's details with
 * its trigger's state and latest events. Every query is scoped to one user: another user's AREA
 * is simply not found.
 */
import { type Kysely, sql } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database, HookJobStatus, TriggerType } from '../db/schema.js'
import type { JsonObject, JsonValue } from '../engine/types.js'
import type { LabelRequirement } from '../spec/label-selector.js'
import { fromAreaActions } from './area-joins.js'
import { labelsMatch } from './label-filter.js'
import { type EventSummary, eventSummaryColumns, eventSummaryOf } from './logs.js'

export interface AreaSummary {
  id: string
  name: string
  description: string
  labels: Record<string, string>
  enabled: boolean
  revision: number
  /** The canonical document as applied: what `export` prints. */
  spec: JsonObject
  triggerType: TriggerType
  service: string
  action: string
  createdAt: Date
  updatedAt: Date
  /** When its trigger last ran (null: never, or no trigger). */
  lastRunAt?: Date | null
}

export interface HookJobState {
  id: string
  type: TriggerType
  status: HookJobStatus
  intervalSeconds: number | null
  schedule: JsonValue | null
  nextRunAt: Date | null
  lastRunAt: Date | null
  /** Sealed with the secret box; the API opens it for the owner. */
  webhookSecretSealed: string | null
}

export interface AreaDetails extends AreaSummary {
  hookJob: HookJobState | undefined
  recentEvents: EventSummary[]
}

/** `key=value` matches that label; a bare `key` matches any value. */
export interface LabelSelector {
  key: string
  value?: string
}

export interface ListAreasOptions {
  /** Names after this one (the previous page's last name). */
  after?: string
  limit: number
  labels?: LabelSelector[]
  /** A parsed `labelSelector` (kubectl syntax): every requirement must hold. */
  selector?: LabelRequirement[]
}

function summaryQuery(db: Kysely<Database>, userId: string) {
  return fromAreaActions(db)
    .select([
      'a.id',
      'a.name',
      'a.description',
      'a.labels',
      'a.enabled',
      'a.revision',
      'a.spec',
      'a.created_at',
      'a.updated_at',
      'aa.trigger_type',
      's.key as service',
      'sa.key as action',
      // For `get -o wide`; the AREA's one hook job, when it has one.
      (eb) =>
        eb
          .selectFrom('hook_jobs as hj')
          .select((inner) => inner.fn.max('hj.last_run_at').as('last'))
          .whereRef('hj.area_action_id', '=', 'aa.id')
          .as('last_run_at'),
    ])
    .where('a.user_id', '=', userId)
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>['executeTakeFirstOrThrow']>>

function toSummary(row: SummaryRow): AreaSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    labels: (row.labels ?? {}) as Record<string, string>,
    enabled: row.enabled,
    revision: row.revision,
    spec: row.spec as JsonObject,
    triggerType: row.trigger_type,
    service: row.service,
    action: row.action,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastRunAt: row.last_run_at ? new Date(row.last_run_at) : null,
  }
}

/** One page in name order; `next` is set when more follow. */
export async function listAreas(
  db: Kysely<Database>,
  userId: string,
  options: ListAreasOptions,
): Promise<{ items: AreaSummary[]; next: string | undefined }> {
  let query = summaryQuery(db, userId)
  if (options.after !== undefined) query = query.where('a.name', '>', options.after)
  for (const label of options.labels ?? []) {
    query =
      label.value === undefined
        ? query.where(sql<boolean>`(a.labels ->> ${label.key}) is not null`)
        : query.where(sql<boolean>`a.labels @> ${toJson({ [label.key]: label.value })}`)
  }
  if (options.selector?.length) query = query.where(labelsMatch('a.labels', options.selector))
  // One more row than asked tells whether another page exists without a count.
  const rows = await query
    .orderBy('a.name')
    .limit(options.limit + 1)
    .execute()
  const items = rows.slice(0, options.limit).map(toSummary)
  return { items, next: rows.length > options.limit ? items.at(-1)?.name : undefined }
}

export async function getAreaDetails(
  db: Kysely<Database>,
  userId: string,
  name: string,
  options: { recentEvents?: number } = {},
): Promise<AreaDetails | undefined> {
  const row = await summaryQuery(db, userId).where('a.name', '=', name).executeTakeFirst()
  if (!row) return undefined
  const [hookJob, events] = await Promise.all([
    db
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .select([
        'h.id',
        'h.type',
        'h.status',
        'h.polling_interval_seconds',
        'h.schedule',
        'h.next_run_at',
        'h.last_run_at',
        'h.webhook_secret_encrypted',
      ])
      .where('aa.area_id', '=', row.id)
      .executeTakeFirst(),
    db
      .selectFrom('hook_logs')
      .select(eventSummaryColumns)
      .where('area_id', '=', row.id)
      .orderBy('detected_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.recentEvents ?? 5)
      .execute(),
  ])
  return {
    ...toSummary(row),
    hookJob: hookJob && {
      id: hookJob.id,
      type: hookJob.type,
      status: hookJob.status,
      intervalSeconds: hookJob.polling_interval_seconds,
      schedule: hookJob.schedule,
      nextRunAt: hookJob.next_run_at,
      lastRunAt: hookJob.last_run_at,
      webhookSecretSealed: hookJob.webhook_secret_encrypted,
    },
    recentEvents: events.map(eventSummaryOf),
  }
}

/** The id of the user's AREA named `name`, or undefined (also for another user's AREA). */
export async function findAreaId(
  db: Kysely<Database>,
  userId: string,
  name: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('areas')
    .select('id')
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .executeTakeFirst()
  return row?.id
}
