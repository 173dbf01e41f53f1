import { Type } from '@sinclair/typebox'
import { defineAction } from '../../../engine/define.js'
import { POSITIVE_DURATION_PATTERN, parseDuration } from '../../../engine/duration.js'
import { tick, tickFields } from '../tick.js'

const DEFAULT_INTERVAL = '1h'

const params = Type.Object(
  {
    interval: Type.Optional(
      Type.String({
        description: 'How often to fire: whole numbers with units d, h, m, s (at least 1s)',
        pattern: POSITIVE_DURATION_PATTERN,
        default: DEFAULT_INTERVAL,
        examples: ['30s', '5m', '1h30m', '1d'],
      }),
    ),
  },
  { additionalProperties: false },
)

export const every = defineAction({
  id: 'every',
  name: 'Every interval',
  description:
    "Fires once per interval, counted from when the AREA is applied: the first time one interval after it. Slots missed while the server was down fire as the action's catch_up says (none, latest: the newest once, the default, or all: one event each)",
  params,
  polling: {
    defaultIntervalSeconds: 3_600,
    minIntervalSeconds: 1,
    schedule: (p) => ({ kind: 'interval', seconds: parseDuration(p.interval ?? DEFAULT_INTERVAL) }),
    // A timer has no "existing items" to ignore: its first tick is a real one.
    firstPoll: 'fire',
    // Each slot is its own event, keyed by the slot: missed ones can be fired one by one.
    slotEvents: true,
    async poll(ctx) {
      return tick(ctx.scheduledAt, {
        interval_seconds: parseDuration(ctx.params.interval ?? DEFAULT_INTERVAL),
      })
    },
  },
  event: Type.Object(
    {
      ...tickFields,
      interval_seconds: Type.Integer({ description: 'The interval, in seconds' }),
    },
    { additionalProperties: false },
  ),
  exampleEvent: {
    scheduled_at: '2025-01-01T09:00:00.000Z',
    fired_at: '2025-01-01T09:00:00.120Z',
    interval_seconds: 3600,
  },
})
