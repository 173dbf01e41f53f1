/**
 * The AREA file's document shape (docs/architecture.md, "The AREA file"), as one TypeBox schema: it
 * validates documents, types them, and is the base of the JSON Schema that `area schema` prints.
 */
import { type Static, Type } from '@sinclair/typebox'
import { POSITIVE_DURATION_PATTERN } from '../engine/duration.js'
import { describePattern } from '../engine/schema-messages.js'

export const apiVersion = 'area/v1'

export const namePattern = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
export const reactionIdPattern = '^[a-z][a-z0-9_]{0,62}$'

describePattern(
  namePattern,
  'must be lowercase letters, digits and dashes, starting and ending with a letter or digit (e.g. daily-report)',
)
describePattern(
  reactionIdPattern,
  'must start with a lowercase letter, then lowercase letters, digits or _ (e.g. notify_team)',
)

const Params = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Parameters of the action or reaction (see `area services describe <service>`).',
})

export const TriggerSchema = Type.Union(
  [
    Type.Literal('webhook', { description: 'Fire when the service calls the AREA’s webhook URL.' }),
    Type.Literal('polling', { description: 'Poll at the action’s default interval.' }),
    Type.Object(
      {
        polling: Type.Object(
          {
            interval: Type.String({
              pattern: POSITIVE_DURATION_PATTERN,
              description: 'e.g. 30s, 5m, 1h',
              examples: ['60s'],
            }),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'How the action is triggered; may be omitted when the action supports one kind only.' },
)

export const ActionSchema = Type.Object(
  {
    service: Type.String({ minLength: 1, description: 'Service id, e.g. github' }),
    action: Type.String({ minLength: 1, description: 'Action id within the service, e.g. issue_opened' }),
    connection: Type.Optional(
      Type.String({ minLength: 1, description: 'Name of a connection (credentials)' }),
    ),
    trigger: Type.Optional(TriggerSchema),
    params: Type.Optional(Params),
  },
  { additionalProperties: false },
)

export const ReactionSchema = Type.Object(
  {
    id: Type.String({
      pattern: reactionIdPattern,
      description: 'Referenced by later reactions as {{ reactions.<id>.… }}',
    }),
    service: Type.String({ minLength: 1 }),
    reaction: Type.String({ minLength: 1 }),
    connection: Type.Optional(Type.String({ minLength: 1 })),
    params: Type.Optional(Params),
  },
  { additionalProperties: false },
)

export const AreaDocumentSchema = Type.Object(
  {
    apiVersion: Type.Literal(apiVersion),
    kind: Type.Literal('Area'),
    metadata: Type.Object(
      {
        name: Type.String({
          pattern: namePattern,
          maxLength: 63,
          description: 'Unique per user: the apply key',
        }),
        description: Type.Optional(Type.String({ maxLength: 1000 })),
        labels: Type.Optional(Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 253 }))),
      },
      { additionalProperties: false },
    ),
    spec: Type.Object(
      {
        enabled: Type.Optional(Type.Boolean({ default: true })),
        action: ActionSchema,
        reactions: Type.Array(ReactionSchema, { minItems: 1, maxItems: 50 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export type AreaDocument = Static<typeof AreaDocumentSchema>
export type ActionSpec = Static<typeof ActionSchema>
export type ReactionSpec = Static<typeof ReactionSchema>
