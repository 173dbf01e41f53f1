/**
 * `--since` (and the API's `since`), read in one place: a duration back from now (`30m`, `1h`,
 * `7d`) or an ISO 8601 date or time. No CLI dependency: the API reads its query with it too.
 */
import { parseDuration } from '../engine/duration.js'
import { FlagValueError } from './flag-value-error.js'

export const SINCE_FORMS =
  'a duration back from now (30m, 1h, 7d) or an ISO 8601 date or time (2025-01-31, 2025-01-31T09:00:00Z)'

/** A `since` that is not one of the accepted forms; the message says what is expected. */
export class SinceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SinceError'
  }
}

/** The earliest `since` accepted: nothing is older than the Unix epoch, and Postgres takes it. */
const EARLIEST_SINCE = Date.UTC(1970, 0, 1)
/** The latest: a date some way ahead is an empty page, not an error; past year 9999 is nonsense. */
const LATEST_SINCE = Date.UTC(9999, 11, 31, 23, 59, 59)

/**
 * The time `text` stands for. A time outside 1970–9999 is refused too (Postgres cannot compare
 * against a date JavaScript cannot even print, e.g. `1000000d`).
 */
export function parseSince(text: string, now = Date.now()): Date {
  let time: number
  try {
    time = now - parseDuration(text) * 1000
  } catch {
    time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN
    if (Number.isNaN(time)) throw new SinceError(`must be ${SINCE_FORMS}`)
  }
  if (!(time >= EARLIEST_SINCE && time <= LATEST_SINCE)) {
    throw new SinceError(
      `is out of range: give a time between 1970-01-01 and 9999-12-31, or a duration of at most ${Math.floor((now - EARLIEST_SINCE) / 86_400_000)}d`,
    )
  }
  return new Date(time)
}

/** The `--since` flag's check: the value as given (the server reads it), or an error naming the flag. */
export async function sinceFlagValue(text: string): Promise<string> {
  try {
    parseSince(text)
  } catch (error) {
    if (!(error instanceof SinceError)) throw error
    throw new FlagValueError(`--since ${JSON.stringify(text)} ${error.message}`)
  }
  return text
}
