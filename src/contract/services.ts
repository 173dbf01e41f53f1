/** The catalog: services, their actions (triggers) and reactions, with their params. */
import { Type } from '@sinclair/typebox'
import { Nullable } from './common.js'

export const ServiceParams = Type.Object({ service: Type.String({ minLength: 1, maxLength: 100 }) })

export const TriggerKind = Type.Union([Type.Literal('webhook'), Type.Literal('polling')])

export const ParamSchema = Type.Object({
  name: Type.String(),
  type: Type.String({ description: 'string, integer, number, boolean, object, array, enum, or a union' }),
  required: Type.Boolean(),
  description: Type.String(),
  default: Type.Optional(Type.Unknown({ description: 'Absent when the param has no default' })),
  secret: Type.Optional(
    Type.Boolean({
      description:
        'True when the param holds a secret (writeOnly), in whole or in part: stored sealed, shown as <secret:…>',
    }),
  ),
})

const JsonSchema = Type.Unknown({ description: 'The JSON Schema of the params object' })

export const ActionSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  triggers: Type.Array(TriggerKind),
  requiresConnection: Type.Boolean(),
  defaultPollingIntervalSeconds: Nullable(Type.Integer()),
  minPollingIntervalSeconds: Nullable(Type.Integer()),
  /** True when the cadence comes from the params (timer actions), not from `trigger.polling`. */
  scheduleFromParams: Type.Boolean(),
  params: Type.Array(ParamSchema),
  paramsSchema: JsonSchema,
  eventSchema: Nullable(
    Type.Unknown({ description: 'The JSON Schema of the event, seen by reactions as {{ trigger.… }}' }),
  ),
  exampleEvent: Nullable(Type.Unknown()),
})

export const ReactionSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  requiresConnection: Type.Boolean(),
  params: Type.Array(ParamSchema),
  paramsSchema: JsonSchema,
  outputSchema: Nullable(Type.Unknown({ description: 'The JSON Schema of what a run returns' })),
  exampleOutput: Nullable(
    Type.Unknown({ description: 'What a run returns, seen by later reactions as {{ reactions.<id>.… }}' }),
  ),
})

export const ServiceSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  authKind: Type.String(),
  actions: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      description: Type.String(),
      triggers: Type.Array(TriggerKind),
    }),
  ),
  reactions: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), description: Type.String() })),
})

export const CredentialFieldSchema = Type.Object({
  name: Type.String(),
  type: Type.String(),
  required: Type.Boolean({ description: 'True when the field has no default and must be given' }),
  secret: Type.Boolean({ description: 'Never shown back; the CLI asks for it without echo' }),
  description: Type.String(),
  default: Type.Optional(Type.Unknown({ description: 'Absent when the field has no default' })),
})

export const ServiceCredentialsSchema = Type.Object({
  kind: Type.String({ description: 'The kind POST /v1/connections takes for this service, with `fields`' }),
  kinds: Type.Array(Type.String(), { description: 'Every kind a connection of this service may have' }),
  fields: Type.Array(CredentialFieldSchema),
  fieldsSchema: Type.Unknown({ description: 'The JSON Schema of the stored credentials' }),
  alternatives: Type.Optional(
    Type.Array(
      Type.Object({
        kind: Type.String(),
        fields: Type.Array(CredentialFieldSchema),
        fieldsSchema: Type.Unknown(),
      }),
      {
        description:
          'Other kinds POST /v1/connections takes for this service (e.g. http: basic, api_key, oauth2_client), each with its fields',
      },
    ),
  ),
  oauth2: Nullable(
    Type.Object({
      scopes: Type.Array(Type.String()),
      configured: Type.Boolean({
        description:
          'This server has an OAuth app for the service: `area connections add <service> --web` works',
      }),
    }),
  ),
})

export const ServiceDetailsSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  authKind: Type.String(),
  /** Null when the service needs no connection. */
  credentials: Nullable(ServiceCredentialsSchema),
  actions: Type.Array(ActionSchema),
  reactions: Type.Array(ReactionSchema),
})
