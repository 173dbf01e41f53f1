import type { PollResult } from '../../engine/define.js'
import type { JsonObject } from '../../engine/types.js'

/**
 * The one item a timer's poll returns: keyed by the slot, not the wall clock, so a retried or
 * duplicated poll of the same slot yields the same key and fires once. `fields` are the
 * action's own additions to the event.
 */
export function tick(scheduledAt: Date, fields: JsonObject): PollResult {
  const slot = scheduledAt.toISOString()
  return {
    items: [{ key: slot, event: { scheduled_at: slot, fired_at: new Date().toISOString(), ...fields } }],
  }
}
