/**
 * Polling under load and data loss (README, "Security model"; docs/architecture.md,
 * "Claim-based scheduling"): how many polls a worker runs at once, apart from the executions,
 * and how long a claimed slot may stay unpolled before the scheduler's sweep enqueues it again.
 */
import { type Env, integer } from './config-values.js'
import { DEFAULT_POLL_CONCURRENCY } from './queue/types.js'

export interface PollingSettings {
  /** AREA_POLL_CONCURRENCY: poll jobs one worker runs at once, on their own queue. */
  concurrency: number
  /** AREA_POLL_SLOT_LEASE_SECONDS: a claimed slot not polled after this is enqueued again. */
  slotLeaseSeconds: number
}

export function readPollingSettings(env: Env, problems: string[]): PollingSettings {
  return {
    concurrency: integer(env, 'AREA_POLL_CONCURRENCY', DEFAULT_POLL_CONCURRENCY, problems, {
      min: 1,
      max: 1000,
    }),
    slotLeaseSeconds: integer(env, 'AREA_POLL_SLOT_LEASE_SECONDS', 30, problems, { min: 5, max: 86_400 }),
  }
}
