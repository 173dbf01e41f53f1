/**
 * One state of an event in `area logs` for people, in aligned columns: when it changed, AREA,
 * status, attempt (`2/8`), then each reaction's outcome or the error. A failed poll (kind
 * `poll_failure`) reads `poll failed` with the poll's error. Errors quote remote services: every
 * text is escaped (terminal-text.ts) before it is coloured.
 */
import type { EventLog } from './api-types.js'
import type { Colors } from './colors.js'
import { terminalText as safe, terminalJson } from './terminal-text.js'

const STATUS_WIDTH = 'poll failed'.length
const MIN_AREA_WIDTH = 12

/** When the event last changed: a retry's line carries the retry's time, not the detection's. */
export function changedAt(event: EventLog): string {
  const times = [event.detectedAt, event.finishedAt]
  for (const e of event.executions ?? []) times.push(e.startedAt, e.finishedAt)
  // ISO 8601 UTC texts of one format compare as strings.
  const known = times.filter((t): t is string => typeof t === 'string')
  return known.sort().at(-1) ?? event.detectedAt
}

function statusText(event: EventLog): string {
  return event.kind === 'poll_failure' ? 'poll failed' : event.status
}

function attemptText(event: EventLog): string {
  if (!event.attempts) return '-'
  const text = event.maxAttempts ? `${event.attempts}/${event.maxAttempts}` : String(event.attempts)
  return event.replays ? `${text} replay ${event.replays}` : text
}

export function renderLogLine(event: EventLog, c: Colors, areaWidth = MIN_AREA_WIDTH): string {
  const paint =
    event.status === 'done'
      ? c.green
      : event.status === 'failed'
        ? c.red
        : event.status === 'skipped'
          ? c.dim
          : c.yellow
  const reactions = (event.executions ?? [])
    // The event's error already says why its failing reaction failed: not twice on one line.
    // A for_each's items show as ref[index]; a skipped reaction with its condition.
    .map((e) =>
      safe(
        `${e.ref}${e.item === null || e.item === undefined ? '' : `[${e.item}]`}=${e.status}${e.errorText && !event.error ? ` (${e.errorText})` : ''}`,
      ),
    )
    .join(' ')
  const error = event.error ? c.red(safe(event.error)) : ''
  const time = `${changedAt(event).slice(0, 19)}Z`
  return [
    c.dim(safe(time)),
    safe(event.area).padEnd(areaWidth),
    paint(safe(statusText(event)).padEnd(STATUS_WIDTH)),
    `attempt ${attemptText(event)}`.padEnd(12),
    [reactions, error].filter(Boolean).join(' '),
  ]
    .join('  ')
    .trimEnd()
}

/** One event as a JSON line with `--json`, else the line above. */
function eventLine(event: EventLog, c: Colors, json: boolean, areaWidth?: number): string {
  return json ? terminalJson(event) : renderLogLine(event, c, areaWidth)
}

/**
 * Lines of a log that grows (a page, then a stream), as `area logs` and `area dev` print them: the
 * AREA column as wide as the widest name seen, and an event's state printed once: a new version of an event that reads the same (only
 * a field not shown changed) is not printed again.
 */
export class LogPrinter {
  private areaWidth = MIN_AREA_WIDTH
  private readonly last = new Map<string, string>()

  constructor(
    private readonly c: Colors,
    private readonly json: boolean,
  ) {}

  /** Widens the AREA column for the events about to be printed. */
  fit(events: readonly EventLog[]): void {
    for (const e of events) this.areaWidth = Math.max(this.areaWidth, safe(e.area).length)
  }

  /** The line for `event`, or undefined when it would repeat this event's previous line. */
  line(event: EventLog): string | undefined {
    this.fit([event])
    const text = eventLine(event, this.c, this.json, this.areaWidth)
    if (this.last.get(event.id) === text) return undefined
    // Delete then set: the map's order is recency, so the oldest entries go first.
    this.last.delete(event.id)
    this.last.set(event.id, text)
    if (this.last.size > 10_000) this.last.delete(this.last.keys().next().value as string)
    return text
  }
}
