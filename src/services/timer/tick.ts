import { Type } from '@sinclair/typebox'
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

/** The fields of every tick event, for the timer actions' `event` schemas. */
export const tickFields = {
  scheduled_at: Type.String({ description: 'The schedule slot (ISO 8601, UTC)' }),
  fired_at: Type.String({ description: 'When the poll ran (ISO 8601, UTC)' }),
}
