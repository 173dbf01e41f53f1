/**
 * One event of `area logs` for people: time, AREA, status, then each reaction's outcome. Errors
 * quote remote services: every text is escaped (terminal-text.ts) before it is coloured.
 */
import type { EventLog } from './api-types.js'
import type { Colors } from './colors.js'
import { terminalText as safe, terminalJson } from './terminal-text.js'

export function renderLogLine(event: EventLog, c: Colors): string {
  const paint =
    event.status === 'done'
      ? c.green
      : event.status === 'failed'
        ? c.red
        : event.status === 'skipped'
          ? c.dim
          : c.yellow
  const reactions = event.executions
    // The event's error already says why its failing reaction failed: not twice on one line.
    .map((e) => safe(`${e.ref}=${e.status}${e.errorText && !event.error ? ` (${e.errorText})` : ''}`))
    .join(' ')
  const error = event.error ? ` ${c.red(safe(event.error))}` : ''
  return `${c.dim(safe(event.detectedAt))}  ${safe(event.area)}  ${paint(safe(event.status).padEnd(10))} ${reactions}${error}`.trimEnd()
}

/** One event as `logs` and `dev` stream it: a JSON line with `--json`, else the line above. */
export function eventLine(event: EventLog, c: Colors, json: boolean): string {
  return json ? terminalJson(event) : renderLogLine(event, c)
}
