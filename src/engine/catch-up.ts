/**
 * Catch-up: which of a polling trigger's due slots a claim fires when it comes late, because the
 * schedulers or the AREA were down (docs/architecture.md, "Claim-based scheduling"). The mode is
 * the AREA file's `catch_up:` key, stored on the hook job.
 */
import type { Schedule } from './define.js'
import { dueSlots, nextRunAfter } from './schedule.js'

export type CatchUpMode = 'none' | 'latest' | 'all'

export interface CatchUp {
  mode: CatchUpMode
  /** `all` only: the most slots one catch-up fires, the newest kept. */
  max: number
}

/** What a trigger does unless its AREA says otherwise: the newest missed slot, once. */
export const DEFAULT_CATCH_UP: CatchUp = { mode: 'latest', max: 1 }
/** `catch_up: all` without a max: a day of hourly slots fired at once is already a lot. */
export const DEFAULT_CATCH_UP_ALL_MAX = 10
export const MAX_CATCH_UP = 1_000

/**
 * How late the newest due slot may be and still count as on time rather than missed: a claim
 * waits for the next scheduler tick (1 s) and, under a backlog, for the batches before it.
 */
export const CATCH_UP_GRACE_MS = 30_000

export interface CatchUpDecision {
  /** The slots to fire now, oldest first. */
  fire: Date[]
  /** Due slots not fired (missed ones the mode drops, or past `max`). */
  skipped: number
  /** The trigger's next slot: the first after the newest due one, so after `now`. */
  next: Date
}

/**
 * The due slots of a trigger whose first unclaimed slot is `first` (<= now). The newest one is
 * on time when less than `graceMs` late; every other due slot was missed. `none` fires only an
 * on-time slot, `latest` the newest slot whatever its lateness, `all` the newest `max` slots.
 */
export function decideCatchUp(
  schedule: Schedule,
  first: Date,
  now: Date,
  catchUp: CatchUp,
  graceMs = CATCH_UP_GRACE_MS,
): CatchUpDecision {
  const keep = catchUp.mode === 'all' ? Math.max(1, catchUp.max) : 1
  const { count, newest } = dueSlots(schedule, first, now, keep)
  const latest = newest[newest.length - 1] ?? first
  const onTime = now.getTime() - latest.getTime() <= graceMs
  const fire = catchUp.mode === 'none' ? (onTime ? [latest] : []) : newest
  return { fire, skipped: count - fire.length, next: nextRunAfter(schedule, latest) }
}
