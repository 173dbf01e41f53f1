/**
 * One word for whether an AREA's trigger works, as `area get` shows it (issue 12: a failing poll
 * must not look active): `disabled`, `paused`, `failing` (its last polls failed), `waiting` (a
 * poll that has not run yet) or `active`; and the sentence `area describe` prints for a failure.
 */
import type { AreaListItem } from './api-types.js'
import type { Colors } from './colors.js'

type Trigger = AreaListItem['trigger']

export type TriggerStatus = 'disabled' | 'paused' | 'failing' | 'waiting' | 'active'

export function triggerStatus(area: { enabled: boolean; trigger: Trigger }): TriggerStatus {
  const t = area.trigger
  if (!area.enabled) return 'disabled'
  if (t.status === 'paused') return 'paused'
  if (t.failure) return 'failing'
  if (t.type === 'polling' && t.lastRunAt === null) return 'waiting'
  return 'active'
}

export function paintTriggerStatus(status: TriggerStatus, c: Colors): string {
  if (status === 'failing') return c.red(status)
  if (status === 'active') return c.green(status)
  return c.dim(status)
}

/** "Failing since <time> (N attempts): <error>", or undefined while the trigger works. */
export function failureText(trigger: Trigger): string | undefined {
  const f = trigger.failure
  if (!f) return undefined
  return `Failing since ${f.since} (${f.attempts} attempt${f.attempts === 1 ? '' : 's'}): ${f.error}`
}
