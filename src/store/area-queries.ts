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
  /** Who manages it (`apply --owner`), or null. */
  owner: string | null
  /** The canonical document as applied: what `export` prints. */
  spec: JsonObject
  triggerType: TriggerType
  /** The trigger's state as lists show it; undefined for an AREA without a hook job. */
  trigger: TriggerHealth | undefined
  service: string
  action: string
  createdAt: Date
  updatedAt: Date
  /** When its trigger last ran (null: never, or no trigger). */
  lastRunAt?: Date | null
}

/** Whether a trigger works: a failing poll's last error, since when, attempts in a row. */
export interface TriggerHealth {
  status: HookJobStatus
  lastRunAt: Date | null
  failure: PollFailureState | undefined
}

export interface PollFailureState {
  since: Date
  attempts: number
  error: string
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
  failure: PollFailureState | undefined
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
    .leftJoin('hook_jobs as h', 'h.area_action_id', 'aa.id')
    .select([
      'a.id',
      'a.name',
      'a.description',
      'a.labels',
      'a.enabled',
      'a.revision',
      'a.owner',
      'a.spec',
      'a.created_at',
      'a.updated_at',
      'aa.trigger_type',
      's.key as service',
      'sa.key as action',
      'h.status as hook_status',
      'h.last_run_at as hook_last_run_at',
      'h.last_error',
      'h.failing_since',
      'h.failed_attempts',
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
    owner: row.owner,
    spec: row.spec as JsonObject,
    triggerType: row.trigger_type,
    trigger: row.hook_status
      ? {
          status: row.hook_status,
          lastRunAt: row.hook_last_run_at,
          failure: failureOf(row),
        }
      : undefined,
    service: row.service,
    action: row.action,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastRunAt: row.hook_last_run_at ?? null,
  }
}

/** The failure state of a hook job row: undefined while its polls succeed. */
function failureOf(row: {
  last_error: string | null
  failing_since: Date | null
  failed_attempts: number | null
}): PollFailureState | undefined {
  if (!row.failing_since || !row.failed_attempts) return undefined
  return { since: row.failing_since, attempts: row.failed_attempts, error: row.last_error ?? '' }
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
        'h.last_error',
        'h.failing_since',
        'h.failed_attempts',
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
      failure: failureOf(hookJob),
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
