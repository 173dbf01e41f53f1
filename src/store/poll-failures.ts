/**
 * A failing poll is visible (issue 12): each failed attempt updates the hook job's failure state
 * (last error, failing since, attempts in a row), and the changes among them are recorded as
 * hook_logs rows of kind 'poll_failure', so the logs and their stream show them like events. A successful poll's commit
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

/**
 * Records one failed attempt; the same slot and attempt twice is recorded once. The hook job
 * counts every attempt, but the logs get a line only when something changes: the first failure
 * of a streak, an error unlike the last one, and the attempt after which a slot gives up. A poll
 * that fails for days then writes a few rows a slot, not one per retry.
 */
export async function recordPollFailure(db: Kysely<Database>, failure: PollFailure): Promise<void> {
  const error = failure.error.slice(0, MAX_ERROR_LENGTH)
  const deliveryId = `poll-failure:${failure.slotMs}:${failure.attempt}`
  const final = failure.attempt >= failure.maxAttempts
  const payload = JSON.stringify({
    scheduledAt: new Date(failure.slotMs).toISOString(),
    attempt: failure.attempt,
    maxAttempts: failure.maxAttempts,
    error,
  })
  // Every CTE sees the rows as they were before the statement: `before` is the previous state.
  await sql`
    with before as (
      select failed_attempts, last_error from area.hook_jobs where id = ${failure.hookJobId}
    ), job as (
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
      cross join before
      join area.area_actions aa on aa.id = job.area_action_id
      join area.areas a on a.id = aa.area_id
     where before.failed_attempts = 0 or before.last_error is distinct from ${error} or ${final}
    on conflict (hook_job_id, delivery_id) do nothing
  `.execute(db)
}

/** The columns a successful poll resets (merged into its commit's update of the hook job). */
export const clearedPollFailure = {
  last_error: null,
  failing_since: null,
  failed_attempts: 0,
} as const
