/**
 * The action's `catch_up:` key (docs/architecture.md, "Claim-based scheduling") checked against
 * its trigger: polling only, `all` for actions whose events are their slots (timers), `max` with
 * `all` only. The schema already checked the shape.
 */
import { type CatchUp, DEFAULT_CATCH_UP, DEFAULT_CATCH_UP_ALL_MAX } from '../engine/catch-up.js'
import type { ActionDefinition } from '../engine/define.js'
import type { Issue } from '../engine/errors.js'
import type { ActionSpec } from './document.js'

const path = '/spec/action/catch_up'

/** The trigger's catch-up; undefined (with an issue) when the key does not fit the action. */
export function resolveCatchUp(
  input: ActionSpec['catch_up'],
  action: ActionDefinition,
  name: string,
  polled: boolean,
  issues: Issue[],
): CatchUp | undefined {
  if (input === undefined) return DEFAULT_CATCH_UP
  if (!polled) {
    issues.push({
      path,
      message: `catch_up applies to polling triggers; ${name} is triggered by a webhook, whose sender retries a delivery the server missed: remove catch_up`,
    })
    return undefined
  }
  const written = typeof input === 'string' ? { mode: input } : input
  if (written.mode === 'all' && !action.polling?.slotEvents) {
    issues.push({
      path: typeof input === 'string' ? path : `${path}/mode`,
      message: `catch_up: all is for timers (one event per missed slot); ${name} polls a source, and its next poll reports what changed since the last one whatever slots were missed: use latest or none`,
    })
    return undefined
  }
  if (written.mode !== 'all' && 'max' in written && written.max !== undefined) {
    issues.push({
      path: `${path}/max`,
      message: `max applies to mode all only; mode ${written.mode} fires ${written.mode === 'none' ? 'no missed slot' : 'one slot'}: remove max`,
    })
    return undefined
  }
  if (written.mode !== 'all') return { mode: written.mode, max: 1 }
  return { mode: 'all', max: ('max' in written ? written.max : undefined) ?? DEFAULT_CATCH_UP_ALL_MAX }
}
