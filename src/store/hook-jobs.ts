/**
 * An AREA's trigger (its hook job), written when the AREA is applied. A polling job keeps its
 * dedup state (cursor, baseline) while its source (service, action, params) stays the same;
 * otherwise it starts over (docs/architecture.md, "Polling dedup"). A webhook job keeps its
 * signing secret while it stays a webhook.
 */
import { randomBytes } from 'node:crypto'
import { type InsertObject, type Kysely, sql, type UpdateObject } from 'kysely'
import { toJson } from '../db/json.js'
import type { Database } from '../db/schema.js'
import { canonicalHash, canonicalJson } from '../engine/canonical-json.js'
import type { Schedule } from '../engine/define.js'
import type { Registry } from '../engine/registry.js'
import { dueSlots, nextRunAfter } from '../engine/schedule.js'
import type { JsonObject } from '../engine/types.js'
import type { SecretBox } from '../secrets/secret-box.js'
import type { NormalizedArea } from '../spec/normalize.js'

/** What writing a trigger needs besides the AREA. */
export interface HookJobContext {
  registry: Registry
  secrets: SecretBox
  now?: Date
}

export async function writeHookJob(
  trx: Kysely<Database>,
  areaActionId: string,
  area: NormalizedArea,
  context: HookJobContext,
  updating: boolean,
): Promise<void> {
  const now = context.now ?? new Date()
  const trigger = area.action.trigger
  const status: 'active' | 'paused' = area.enabled ? 'active' : 'paused'
  // The params as shown: a secret counts by its keyed fingerprint, so no plain hash of it is stored.
  const shownParams = (area.document.spec.action.params ?? area.action.params) as JsonObject
  const sourceHash = canonicalHash([area.action.service, area.action.action, shownParams])
  const current = updating
    ? await trx
        .selectFrom('hook_jobs')
        .select([
          'id',
          'type',
          'status',
          'source_hash',
          'schedule',
          'polling_interval_seconds',
          'last_run_at',
          'next_run_at',
        ])
        .where('area_action_id', '=', areaActionId)
        .executeTakeFirst()
    : undefined

  if (trigger.type === 'webhook') {
    if (current?.type === 'webhook') {
      await trx
        .updateTable('hook_jobs')
        .set({ status, updated_at: sql`now()` })
        .where('id', '=', current.id)
        .execute()
      return
    }
    await startHookJob(trx, areaActionId, current?.id, {
      type: 'webhook',
      polling_interval_seconds: null,
      schedule: null,
      next_run_at: null,
      webhook_secret_encrypted: context.secrets.seal(generateWebhookSecret()),
      status,
      state: null,
      source_hash: null,
      baseline_done: true,
    })
    return
  }

  const { schedule, catchUp } = trigger
  const catchUpColumns = { catch_up: catchUp.mode, catch_up_max: catchUp.max }
  const intervalSeconds = schedule.kind === 'interval' ? schedule.seconds : null
  const scheduleJson = schedule.kind === 'cron' ? toJson(schedule as unknown as JsonObject) : null
  const action = context.registry.action(area.action.service, area.action.action)
  // A timer's first tick is one interval away; a data source polls now to take its baseline.
  const firstRun = action?.polling?.firstPoll === 'fire' ? nextRunAfter(schedule, now) : now
  const sameSource = current?.type === 'polling' && current.source_hash === sourceHash
  if (current && sameSource) {
    const cadenceChanged =
      current.polling_interval_seconds !== intervalSeconds ||
      canonicalJson(current.schedule) !== canonicalJson(schedule.kind === 'cron' ? schedule : null)
    // Turned on by this apply: the slots that fell while it was off are not fired (no catch-up).
    const resumed = current.status === 'paused' && status === 'active'
    const nextRun = cadenceChanged ? nextRunAfter(schedule, current.last_run_at ?? now) : current.next_run_at
    const skipped = resumed ? nextSlotAfter(schedule, nextRun, now) : undefined
    await trx
      .updateTable('hook_jobs')
      .set({
        polling_interval_seconds: intervalSeconds,
        schedule: scheduleJson,
        status,
        ...catchUpColumns,
        ...(cadenceChanged || skipped ? { next_run_at: skipped ?? nextRun } : {}),
        updated_at: sql`now()`,
      })
      .where('id', '=', current.id)
      .execute()
    return
  }
  // New job, or a different source: start over with a fresh baseline.
  await startHookJob(trx, areaActionId, current?.id, {
    type: 'polling',
    polling_interval_seconds: intervalSeconds,
    schedule: scheduleJson,
    next_run_at: firstRun,
    last_run_at: null,
    webhook_secret_encrypted: null,
    status,
    state: null,
    source_hash: sourceHash,
    baseline_done: false,
    ...catchUpColumns,
    updated_at: now,
  })
}

/**
 * The first slot after `now` of a schedule whose next slot was `nextRun`, when that one is due:
 * where a trigger turned back on without catch-up starts, so the slots that fell while it was off
 * are not fired. Undefined when nothing is due (the schedule stands as it is).
 */
function nextSlotAfter(schedule: Schedule, nextRun: Date | null, now: Date): Date | undefined {
  if (!nextRun || nextRun > now) return undefined
  const [newest] = dueSlots(schedule, nextRun, now, 1).newest
  return nextRunAfter(schedule, newest ?? now)
}

/**
 * Turns an AREA's paused triggers back on. Without `catchUp` a polling trigger skips the slots
 * that fell while it was off and starts at its next slot; with it, its slots stay due and the
 * scheduler's claim fires them as its `catch_up` says.
 */
export async function resumeHookJobs(
  trx: Kysely<Database>,
  areaId: string,
  options: { catchUp: boolean; now?: Date },
): Promise<void> {
  const now = options.now ?? new Date()
  const jobs = await trx
    .selectFrom('hook_jobs')
    .select(['id', 'type', 'schedule', 'polling_interval_seconds', 'next_run_at'])
    .where('area_action_id', 'in', (eb) =>
      eb.selectFrom('area_actions').select('id').where('area_id', '=', areaId),
    )
    .where('status', '=', 'paused')
    .execute()
  for (const job of jobs) {
    const schedule = (job.schedule as unknown as Schedule | null) ?? {
      kind: 'interval',
      seconds: job.polling_interval_seconds ?? 60,
    }
    const next =
      job.type === 'polling' && !options.catchUp ? nextSlotAfter(schedule, job.next_run_at, now) : undefined
    await trx
      .updateTable('hook_jobs')
      .set({ status: 'active', ...(next ? { next_run_at: next } : {}), updated_at: sql`now()` })
      .where('id', '=', job.id)
      .execute()
  }
}

/** Every column of a hook job but its AREA's action: written as an insert or as an update. */
type HookJobStart = Omit<InsertObject<Database, 'hook_jobs'>, 'area_action_id'> &
  UpdateObject<Database, 'hook_jobs'>

/** Writes a trigger from scratch: over the AREA's current hook job when it has one. */
async function startHookJob(
  trx: Kysely<Database>,
  areaActionId: string,
  currentId: string | undefined,
  values: HookJobStart,
): Promise<void> {
  if (currentId) await trx.updateTable('hook_jobs').set(values).where('id', '=', currentId).execute()
  else
    await trx
      .insertInto('hook_jobs')
      .values({ area_action_id: areaActionId, ...values })
      .execute()
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}
