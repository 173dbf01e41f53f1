/** Replays (`area replay`): `POST /v1/events/:id/replay` and `POST /v1/replays`. */
import { Type } from '@sinclair/typebox'
import { Nullable } from './common.js'

const revision = Type.Optional(
  Type.Union([Type.Literal('current'), Type.Literal('original')], {
    description:
      'Which document runs: current (default), the AREA as it stands, as a retry would; original, the revision it had when the event came in',
  }),
)
const dryRun = Type.Optional(Type.Boolean({ description: 'Answer what would run again; change nothing' }))

export const ReplayEventBody = Type.Object({ revision, dryRun }, { additionalProperties: false })

export const ReplaysBody = Type.Object(
  {
    area: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Only this AREA’s events' }),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('failed'), Type.Literal('done'), Type.Literal('skipped')], {
        description: 'Only finished events with this status (default: failed)',
      }),
    ),
    since: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'Only events since then: a duration back from now (30m, 1h, 7d) or an ISO 8601 time',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'At most this many events, oldest first (default and ceiling: AREA_MAX_REPLAY_EVENTS)',
      }),
    ),
    revision,
    dryRun,
  },
  { additionalProperties: false },
)

export const ReplayedEventSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  area: Type.String(),
  status: Type.String({ description: 'The status the event had before this replay' }),
  error: Nullable(Type.String({ description: 'The error the event had before this replay' })),
  revision: Type.Integer({ description: 'The AREA revision the replay runs' }),
  kept: Type.Array(Type.String(), {
    description: 'Reactions (ref) and for_each items (ref[i]) that succeeded or were skipped: not run again',
  }),
  rerun: Type.Array(Type.String(), {
    description: 'Reactions of the main path that run again, with their original idempotency keys',
  }),
  replay: Nullable(
    Type.Integer({ description: 'The replay number of this event (1 for the first); null on a dry run' }),
  ),
})

export const ReplayAnswer = Type.Object({
  dryRun: Type.Boolean(),
  revision: Type.Union([Type.Literal('current'), Type.Literal('original')]),
  matched: Type.Integer({ description: 'Events the request selected in all' }),
  limit: Type.Integer({
    description: 'The most one request takes (AREA_MAX_REPLAY_EVENTS, or the limit asked)',
  }),
  events: Type.Array(ReplayedEventSchema, { description: 'Replayed (on a dry run: would be), oldest first' }),
  refused: Type.Array(
    Type.Object({ id: Type.String({ format: 'uuid' }), area: Type.String(), reason: Type.String() }),
    { description: 'Selected but not replayed: their original revision cannot run again' },
  ),
})
