/** Execution history: events with what each reaction did. */
import { Type } from '@sinclair/typebox'
import { eventStatuses, executionStatuses } from '../store/logs.js'
import { AreaName, eventProperties } from './areas.js'
import { Nullable, NullableTimestamp, page, pageQuery, Timestamp } from './common.js'

/** What `status` filters on: event statuses, then the reaction statuses not among them. */
export const logStatuses = [...new Set([...eventStatuses, ...executionStatuses])]

export const LogStatusSchema = Type.Union(
  logStatuses.map((s) => Type.Literal(s)),
  {
    description:
      'An event status (failed polls are failed), or a reaction-only status: running, success, partial_success (events with such a reaction)',
  },
)

const filters = {
  area: Type.Optional(AreaName),
  status: Type.Optional(LogStatusSchema),
}

export const LogsQuery = Type.Object({
  ...filters,
  since: Type.Optional(
    Type.String({
      maxLength: 64,
      description: 'An ISO 8601 time, or a duration back from now (30m, 1h, 7d)',
    }),
  ),
  ...pageQuery,
})

export const LogStreamQuery = Type.Object(filters)

export const ExecutionSchema = Type.Object({
  ref: Type.String({ description: 'The reaction id in the AREA file' }),
  // Optional: servers from before the AREA language do not send it.
  item: Type.Optional(
    Nullable(
      Type.Integer({
        description: 'The item of a for_each reaction (from 0); null for the reaction as a whole',
      }),
    ),
  ),
  status: Type.String(),
  attempt: Type.Integer(),
  // Optional: servers from before per-reaction retry policies do not send it.
  maxAttempts: Type.Optional(
    Type.Integer({
      description:
        "How many attempts the reaction gets in all: its own retry.attempts (within the server's ceiling), else the server's",
    }),
  ),
  startedAt: Timestamp,
  finishedAt: NullableTimestamp,
  errorText: Nullable(
    Type.String({ description: 'Why it failed; for a skipped reaction, its condition (when: … was false)' }),
  ),
  errorClass: Nullable(Type.String()),
})

export const EventLogSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  area: Type.String(),
  kind: Type.Union([Type.Literal('event'), Type.Literal('poll_failure')], {
    description: 'poll_failure: a failed attempt to poll the trigger (error says why), no executions',
  }),
  ...eventProperties,
  maxAttempts: Type.Integer({ description: 'How many attempts the event (or poll) gets in all' }),
  replays: Type.Optional(
    Type.Integer({ description: 'Times `area replay` ran the event again; absent when never' }),
  ),
  executions: Type.Array(ExecutionSchema),
})

export const LogsAnswer = page(EventLogSchema)

export const EventIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const ExecutionDetailSchema = Type.Object({
  ...ExecutionSchema.properties,
  params: Type.Unknown({ description: 'The rendered params; secret params as <secret>' }),
  output: Type.Unknown({ description: 'What the reaction answered' }),
})

export const EventDetailSchema = Type.Object({
  ...EventLogSchema.properties,
  payload: Type.Unknown({ description: 'What the trigger delivered' }),
  executions: Type.Array(ExecutionDetailSchema),
})
