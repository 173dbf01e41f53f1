/**
 * `area logs <event-id>` for people: the event, what its trigger delivered, then each reaction's
 * rendered params (secrets as `<secret:FINGERPRINT>`), output, status, attempt and error, so a
 * template can be checked without an outside sink. Every server text is escaped before colouring.
 */
import type { Static } from '@sinclair/typebox'
import type { EventDetailSchema } from '../contract/logs.js'
import type { Colors } from './colors.js'
import { terminalText as safe, terminalJson } from './terminal-text.js'

export type EventDetail = Static<typeof EventDetailSchema>

/** An event id as the API gives them: `area logs <arg>` reads such an argument as one. */
export const eventIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function renderEventDetail(event: EventDetail, c: Colors): string {
  const field = (label: string, value: string) => `${c.bold(`${label}:`.padEnd(10))} ${safe(value)}`
  const json = (value: unknown) =>
    safe(terminalJson(value, 2), { multiline: true })
      .split('\n')
      .map((line) => `    ${line}`)
  const replay = event.replays ? `, replay ${event.replays}` : ''
  const attempt = event.attempts ? ` (attempt ${event.attempts}/${event.maxAttempts}${replay})` : ''
  const lines = [
    field('Event', event.id),
    field('AREA', event.area),
    field('Kind', event.kind === 'poll_failure' ? 'failed poll' : 'event'),
    field('Status', `${event.status}${attempt}`),
    field('Detected', event.detectedAt),
    field('Finished', event.finishedAt ?? '-'),
    field('Delivery', event.deliveryId),
  ]
  if (event.error) lines.push(`${c.bold('Error:'.padEnd(10))} ${c.red(safe(event.error))}`)
  lines.push('', c.bold('Payload:'), ...json(event.payload))
  if (event.kind === 'event') {
    // Executions come in the order they ran (a graph's reactions may run together).
    lines.push('', c.bold('Reactions:'))
    if (event.executions.length === 0) lines.push(c.dim('  none ran'))
  }
  for (const e of event.executions) {
    const paint = e.status === 'success' ? c.green : e.status === 'failed' ? c.red : c.yellow
    const name = e.item === null || e.item === undefined ? e.ref : `${e.ref} item ${e.item}`
    // A reaction's own retry.attempts may differ from the event's (older servers send none).
    const of = e.maxAttempts ?? event.maxAttempts
    lines.push(`  ${c.bold(safe(name))}  ${paint(safe(e.status))}  attempt ${e.attempt}/${of}`)
    if (e.status === 'skipped') {
      // Nothing was sent: the condition that was false says why.
      if (e.errorText) lines.push(`  Skipped: ${c.dim(safe(e.errorText))}`)
      continue
    }
    lines.push('  Params:', ...json(e.params ?? null))
    lines.push('  Output:', ...json(e.output ?? null))
    if (e.errorText) lines.push(`  Error: ${c.red(safe(e.errorText))}`)
  }
  return lines.join('\n')
}
