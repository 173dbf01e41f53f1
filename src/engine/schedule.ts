/**
 * When a polling hook job runs next. Cron expressions are evaluated by croner in the schedule's
 * IANA timezone, so `0 9 * * *` in Europe/Paris stays at 09:00 local time across DST changes.
 */
import { Cron } from 'croner'
import type { Schedule } from './define.js'

// 5 fields (minute first) or 6 (seconds first); croner's 7th field (years) is not offered.
const CRON_MODE = '5-or-6-parts'

// The scheduler computes next runs for many jobs sharing few expressions: parse each once.
const parsed = new Map<string, Cron>()
const parsedLimit = 1_000

function cronFor(expression: string, timezone: string): Cron {
  const key = `${timezone}\n${expression}`
  let cron = parsed.get(key)
  if (!cron) {
    // Without a callback croner schedules nothing: this instance only computes dates.
    cron = new Cron(expression, { timezone, mode: CRON_MODE })
    if (parsed.size >= parsedLimit) parsed.delete(parsed.keys().next().value as string)
    parsed.set(key, cron)
  }
  return cron
}

/** The next slot strictly after `after`. Throws when a cron schedule never fires again. */
export function nextRunAfter(schedule: Schedule, after: Date): Date {
  if (schedule.kind === 'interval') return new Date(after.getTime() + schedule.seconds * 1000)
  const next = cronFor(schedule.expression, schedule.timezone).nextRun(after)
  if (!next) {
    throw new Error(
      `cron expression "${schedule.expression}" (${schedule.timezone}) has no run after ${after.toISOString()}`,
    )
  }
  return next
}

/** Slots counted one by one at most this many times (a cron schedule late by ages); past it, "at least". */
const COUNT_LIMIT = 10_000

/**
 * The slots due by `now` of a schedule whose first unclaimed slot is `first` (<= now): how many
 * there are, and the newest `keep` of them, oldest first. Interval schedules are counted, not
 * walked, so a job late by a year costs nothing; a cron schedule is walked up to COUNT_LIMIT.
 */
export function dueSlots(
  schedule: Schedule,
  first: Date,
  now: Date,
  keep: number,
): { count: number; newest: Date[] } {
  if (schedule.kind === 'interval') {
    const step = schedule.seconds * 1000
    const count = Math.floor((now.getTime() - first.getTime()) / step) + 1
    const latest = first.getTime() + (count - 1) * step
    const newest = Array.from({ length: Math.min(keep, count) }, (_, i) => new Date(latest - i * step))
    return { count, newest: newest.reverse() }
  }
  const cron = cronFor(schedule.expression, schedule.timezone)
  let count = 1
  for (let at = cron.nextRun(first); at && at <= now && count < COUNT_LIMIT; at = cron.nextRun(at)) count++
  // previousRuns is strictly before its reference: one millisecond on includes a slot at `now`.
  const before = cron.previousRuns(keep, new Date(now.getTime() + 1)).filter((at) => at >= first)
  const newest = before.length > 0 ? before.reverse() : [first]
  return { count: Math.max(count, newest.length), newest }
}

/** A human message when the expression or timezone is not usable, else undefined. */
export function validateCron(expression: string, timezone: string): string | undefined {
  if (!isTimezone(timezone)) {
    return `unknown timezone "${timezone}": use an IANA name such as UTC, Europe/Paris or America/New_York`
  }
  // Checked at a fixed UTC offset: whether a pattern parses, and whether any date matches it
  // (February 30th does not), does not depend on the zone, and croner reads a zone through
  // Intl.DateTimeFormat, whose first use costs `area validate` 15 ms (docs/architecture.md,
  // "CLI start-up"). The scheduler computes runs in the zone itself (cronFor).
  let cron: Cron
  try {
    cron = new Cron(expression, { utcOffset: 0, mode: CRON_MODE })
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '')
    return `invalid cron expression "${expression}": ${reason} (expected 5 fields "minute hour day month weekday", or 6 with seconds first)`
  }
  if (!cron.nextRun(new Date())) return `cron expression "${expression}" never fires`
  return undefined
}

// UTC's names, which ICU accepts but does not list among its zones.
const UTC_NAMES = new Set([
  'UTC',
  'Etc/UTC',
  'GMT',
  'Etc/GMT',
  'Etc/Universal',
  'Etc/Zulu',
  'Universal',
  'Zulu',
])
let listedZones: Set<string> | undefined

/**
 * Whether Intl knows the zone. ICU's list of canonical zones answers most names for a tenth of
 * what building an Intl.DateTimeFormat costs the first time; an alias it does not list
 * (US/Eastern, Europe/Kiev) is asked of Intl.DateTimeFormat itself.
 */
function isTimezone(timezone: string): boolean {
  if (typeof timezone !== 'string' || timezone === '') return false
  listedZones ??= new Set(Intl.supportedValuesOf('timeZone'))
  if (listedZones.has(timezone) || UTC_NAMES.has(timezone)) return true
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
    return true
  } catch {
    return false
  }
}
