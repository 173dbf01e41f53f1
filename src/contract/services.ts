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
  exampleEvent: Nullable(Type.Unknown()),
})

export const ReactionSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  requiresConnection: Type.Boolean(),
  params: Type.Array(ParamSchema),
  paramsSchema: JsonSchema,
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

export const ServiceDetailsSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  authKind: Type.String(),
  actions: Type.Array(ActionSchema),
  reactions: Type.Array(ReactionSchema),
})
