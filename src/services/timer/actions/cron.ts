import { Type } from '@sinclair/typebox'
import { defineAction } from '../../../engine/define.js'
import { localIsoTime } from '../local-time.js'
import { tick, tickFields } from '../tick.js'

// Only the shape is checked here (5 or 6 fields, or a nickname such as @daily); the fields
// themselves are checked by validateCron in src/engine/schedule.ts.
const CRON_SHAPE = '^\\s*(@[a-zA-Z]+|\\S+(\\s+\\S+){4,5})\\s*$'

const params = Type.Object(
  {
    expression: Type.String({
      description:
        'Cron expression: 5 fields "minute hour day-of-month month day-of-week", or 6 with seconds first',
      pattern: CRON_SHAPE,
      examples: ['0 9 * * *', '*/15 * * * *', '0 9 * * MON-FRI', '30 0 9 1 * *'],
    }),
    timezone: Type.Optional(
      Type.String({
        description: 'IANA timezone the expression is read in',
        minLength: 1,
        default: 'UTC',
        examples: ['UTC', 'Europe/Paris', 'America/New_York'],
      }),
    ),
  },
  { additionalProperties: false },
)

export const cron = defineAction({
  id: 'cron',
  name: 'Cron schedule',
  description:
    "Fires at the times a cron expression names, in a given timezone. Slots missed while the server was down fire as the action's catch_up says (none, latest: the newest once, the default, or all: one event each)",
  params,
  polling: {
    defaultIntervalSeconds: 60,
    schedule: (p) => ({ kind: 'cron', expression: p.expression.trim(), timezone: p.timezone ?? 'UTC' }),
    firstPoll: 'fire',
    // Each slot is its own event, keyed by the slot: missed ones can be fired one by one.
    slotEvents: true,
    async poll(ctx) {
      const timezone = ctx.params.timezone ?? 'UTC'
      return tick(ctx.scheduledAt, {
        local_time: localIsoTime(ctx.scheduledAt, timezone),
        expression: ctx.params.expression.trim(),
        timezone,
      })
    },
  },
  event: Type.Object(
    {
      ...tickFields,
      local_time: Type.String({ description: 'The slot in the timezone, ISO 8601 with offset' }),
      expression: Type.String({ description: 'The cron expression' }),
      timezone: Type.String({ description: 'The IANA timezone' }),
    },
    { additionalProperties: false },
  ),
  exampleEvent: {
    scheduled_at: '2025-03-31T07:00:00.000Z',
    fired_at: '2025-03-31T07:00:00.084Z',
    local_time: '2025-03-31T09:00:00+02:00',
    expression: '0 9 * * *',
    timezone: 'Europe/Paris',
  },
})
