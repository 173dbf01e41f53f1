/**
 * A failing poll is visible (issue 12): each failed attempt updates the hook job's failure state
 * (last error, failing since, attempts in a row) and is recorded as a hook_logs row of kind
 * 'poll_failure', so the logs and their stream show it like an event. A successful poll's commit
 * clears the state (polls.ts, `clearPollFailure`).
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'

export interface PollFailure {
  hookJobId: string
  slotMs: number
  attempt: number
  maxAttempts: number
  error: string
}

// Long remote answers quoted in errors: a log line, not a dump.
const MAX_ERROR_LENGTH = 2_000

/** Records one failed attempt; the same slot and attempt twice is recorded once. */
export async function recordPollFailure(db: Kysely<Database>, failure: PollFailure): Promise<void> {
  const error = failure.error.slice(0, MAX_ERROR_LENGTH)
  const deliveryId = `poll-failure:${failure.slotMs}:${failure.attempt}`
  const payload = JSON.stringify({
    scheduledAt: new Date(failure.slotMs).toISOString(),
    attempt: failure.attempt,
    maxAttempts: failure.maxAttempts,
    error,
  })
  await sql`
    with job as (
      update area.hook_jobs
         set last_error = ${error}, failing_since = coalesce(failing_since, now()),
             failed_attempts = failed_attempts + 1
       where id = ${failure.hookJobId}
         and not exists (select 1 from area.hook_logs
                          where hook_job_id = ${failure.hookJobId} and delivery_id = ${deliveryId})
      returning id, area_action_id
    )
    insert into area.hook_logs (hook_job_id, area_id, user_id, delivery_id, event_payload, status,
      processed, attempts, error, finished_at, kind)
    select job.id, a.id, a.user_id, ${deliveryId}, ${payload}::jsonb, 'failed', true,
      ${failure.attempt}, ${error}, now(), 'poll_failure'
      from job
      join area.area_actions aa on aa.id = job.area_action_id
      join area.areas a on a.id = aa.area_id
    on conflict (hook_job_id, delivery_id) do nothing
  `.execute(db)
}

/** The columns a successful poll resets (merged into its commit's update of the hook job). */
export const clearedPollFailure = {
  last_error: null,
  failing_since: null,
  failed_attempts: 0,
} as const
