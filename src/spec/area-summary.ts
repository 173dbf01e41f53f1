/**
 * One AREA in a line: what commands print about an AREA they read (validate, diff, apply), and
 * the stable shape their `--json` output uses for it.
 */
import { formatDuration } from '../engine/duration.js'
import type { NormalizedArea, NormalizedTrigger } from './normalize.js'
import type { ValidatedArea } from './validate-files.js'

export interface AreaSummary {
  name: string
  file: string
  document: number
  line: number
  enabled: boolean
  /** `service.action`, e.g. `timer.every`. */
  action: string
  /** `webhook`, `every 5m`, or `cron 0 9 * * * (Europe/Paris)`. */
  trigger: string
  /** The main reactions, then the `on_failure` ones (phase says which). */
  reactions: { id: string; service: string; reaction: string; phase: 'main' | 'on_failure' }[]
  specHash: string
}

export function summarizeArea(validated: ValidatedArea): AreaSummary {
  const { area } = validated
  return {
    name: area.name,
    file: validated.file,
    document: validated.document,
    line: validated.line,
    enabled: area.enabled,
    action: `${area.action.service}.${area.action.action}`,
    trigger: describeTrigger(area.action.trigger),
    reactions: area.reactions.map((r) => ({
      id: r.ref,
      service: r.service,
      reaction: r.reaction,
      phase: r.phase,
    })),
    specHash: area.specHash,
  }
}

export function describeTrigger(trigger: NormalizedTrigger): string {
  if (trigger.type === 'webhook') return 'webhook'
  const { schedule } = trigger
  return schedule.kind === 'interval'
    ? `every ${formatDuration(schedule.seconds)}`
    : `cron ${schedule.expression} (${schedule.timezone})`
}

/** `notify (http.request), log (http.request)` */
export function describeReactions(area: NormalizedArea): string {
  return area.reactions
    .map((r) => `${r.ref} (${r.service}.${r.reaction}${r.phase === 'on_failure' ? ', on failure' : ''})`)
    .join(', ')
}
