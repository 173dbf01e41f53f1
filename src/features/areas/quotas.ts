/**
 * The quotas an apply is held to (README, "Bad input and quotas"; settings in
 * src/daemon/config-limits.ts): documents per apply, AREAs per user, and the shortest polling
 * interval. Each refusal names the limit and the setting that changes it, and comes before
 * anything is written.
 */

import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { LimitsSettings } from '../../daemon/config-limits.js'
import type { Database } from '../../db/schema.js'
import { formatDuration } from '../../engine/duration.js'
import { AreaError, type Issue } from '../../engine/errors.js'
import type { Registry } from '../../engine/registry.js'
import { nextRunAfter } from '../../engine/schedule.js'
import type { NormalizedArea } from '../../spec/normalize.js'

export class QuotaExceededError extends AreaError {
  constructor(message: string) {
    super('quota_exceeded', message)
  }
}

export class TooManyDocumentsError extends AreaError {
  constructor(count: number, limit: number) {
    super(
      'payload_too_large',
      `the apply holds ${count} documents; this server applies at most ${limit} at once (AREA_MAX_APPLY_DOCUMENTS): apply the files in several runs`,
    )
  }
}

export function checkDocumentCount(count: number, limits: Pick<LimitsSettings, 'maxApplyDocuments'>): void {
  if (count > limits.maxApplyDocuments) throw new TooManyDocumentsError(count, limits.maxApplyDocuments)
}

/** Cron runs looked at to find a schedule's shortest gap. */
const CRON_SAMPLE = 6

/**
 * An issue when the AREA would poll more often than AREA_MIN_POLL_INTERVAL_SECONDS allows. A
 * cron schedule is judged by its shortest gap among its next runs (`* * * * * *` is every second).
 */
export function pollIntervalIssue(
  area: NormalizedArea,
  registry: Registry,
  limits: Pick<LimitsSettings, 'minPollIntervalSeconds'>,
  now = new Date(),
): Issue | undefined {
  const { trigger } = area.action
  if (trigger.type !== 'polling') return undefined
  const minimum = limits.minPollIntervalSeconds
  let seconds: number
  if (trigger.schedule.kind === 'interval') {
    seconds = trigger.schedule.seconds
  } else {
    seconds = Number.POSITIVE_INFINITY
    let previous = nextRunAfter(trigger.schedule, now)
    for (let i = 1; i < CRON_SAMPLE; i++) {
      const next = nextRunAfter(trigger.schedule, previous)
      seconds = Math.min(seconds, (next.getTime() - previous.getTime()) / 1000)
      previous = next
    }
  }
  if (seconds >= minimum) return undefined
  const fromParams = registry.action(area.action.service, area.action.action)?.polling?.schedule !== undefined
  return {
    path: fromParams ? '/spec/action/params' : '/spec/action/trigger/polling/interval',
    message: `polls every ${formatDuration(Math.max(0, Math.round(seconds)))}; this server polls at most every ${formatDuration(minimum)} (AREA_MIN_POLL_INTERVAL_SECONDS)`,
  }
}

/**
 * Refuses an apply that would leave the user with more AREAs than AREA_MAX_AREAS_PER_USER.
 * Run in the apply's transaction: the user's row is locked first, so two concurrent applies of
 * one user count one after the other and cannot both slip under the limit.
 */
export async function checkAreaCount(
  trx: Kysely<Database>,
  userId: string,
  change: { created: number; deleted: number },
  limits: Pick<LimitsSettings, 'maxAreasPerUser'>,
  options: { lock: boolean },
): Promise<void> {
  if (change.created === 0) return
  // NO KEY UPDATE: it serialises applies of one user without blocking the foreign-key checks
  // (KEY SHARE) of everything else that points at the user, such as incoming events.
  if (options.lock)
    await trx.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().execute()
  const row = await trx
    .selectFrom('areas')
    .select(sql<string>`count(*)`.as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirst()
  const current = Number(row?.n ?? 0)
  const after = current - change.deleted + change.created
  const limit = limits.maxAreasPerUser
  if (after > limit) {
    throw new QuotaExceededError(
      `you have ${current} AREAs and this would make ${after}, above the limit of ${limit} per user (AREA_MAX_AREAS_PER_USER): delete some first, or ask the operator to raise the limit`,
    )
  }
}
