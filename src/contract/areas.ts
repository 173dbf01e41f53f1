/** AREAs: the documents as applied, their state, and what apply did. */
import { Type } from '@sinclair/typebox'
import { AreaDocumentSchema, namePattern } from '../spec/document.js'
import { Nullable, NullableTimestamp, page, pageQuery, Timestamp } from './common.js'

export const AreaName = Type.String({ pattern: namePattern, maxLength: 63 })
export const AreaNameParams = Type.Object({ name: AreaName })

export const ListAreasQuery = Type.Object({
  ...pageQuery,
  label: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 320 }), {
      description: 'key=value (or a bare key: any value); repeat to require several',
    }),
  ),
  labelSelector: Type.Optional(
    Type.String({
      maxLength: 2000,
      description: 'kubectl syntax: team=infra,env!=prod,tier in (a,b),owner,!archived',
    }),
  ),
})

export const HookStatus = Type.Union([Type.Literal('active'), Type.Literal('paused')])

export const TriggerStateSchema = Type.Object({
  type: Type.Union([Type.Literal('webhook'), Type.Literal('polling')]),
  status: Type.Optional(HookStatus),
  webhookUrl: Type.Optional(Type.String({ description: 'Where the service must POST its events' })),
  secret: Type.Optional(Nullable(Type.String({ description: 'The signing secret (whsec_…)' }))),
  intervalSeconds: Type.Optional(Nullable(Type.Integer())),
  schedule: Type.Optional(
    Nullable(Type.Unknown({ description: 'For cron: { kind, expression, timezone }' })),
  ),
  nextRunAt: Type.Optional(NullableTimestamp),
  lastRunAt: Type.Optional(NullableTimestamp),
  failure: Type.Optional(
    Nullable(
      Type.Object(
        {
          since: Timestamp,
          attempts: Type.Integer({ description: 'Failed attempts in a row' }),
          error: Type.String({ description: 'The last attempt’s error' }),
        },
        { description: 'A failing poll; null once a poll succeeds' },
      ),
    ),
  ),
})

/** An event's fields after its id; an event in the logs (contract/logs.ts) has them too. */
export const eventProperties = {
  status: Type.String(),
  deliveryId: Type.String(),
  detectedAt: Timestamp,
  finishedAt: NullableTimestamp,
  attempts: Type.Integer(),
  error: Nullable(Type.String()),
}

export const EventSummarySchema = Type.Object({ id: Type.String({ format: 'uuid' }), ...eventProperties })

const summaryProperties = {
  name: Type.String(),
  description: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  enabled: Type.Boolean(),
  revision: Type.Integer(),
  owner: Nullable(Type.String({ description: 'Who manages it (`apply --owner`); null: no owner' })),
  service: Type.String(),
  action: Type.String(),
  spec: AreaDocumentSchema,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}

export const AreaSummarySchema = Type.Object({ ...summaryProperties, trigger: TriggerStateSchema })

/** The server's retry policy (AREA_RETRY_*): what a reaction's own `retry:` keys override. */
export const ServerRetrySchema = Type.Object(
  {
    attempts: Type.Integer({
      description: 'AREA_RETRY_ATTEMPTS: attempts of a reaction without retry.attempts',
    }),
    maxAttempts: Type.Integer({ description: 'AREA_RETRY_MAX_ATTEMPTS: the most retry.attempts gets' }),
    backoff: Type.Union([Type.Literal('exponential'), Type.Literal('fixed')]),
    delay: Type.String({ description: 'AREA_RETRY_DELAY: the first wait, e.g. 1s' }),
    maxDelay: Type.String({ description: 'AREA_RETRY_MAX_DELAY: the longest wait, e.g. 5m' }),
  },
  { description: "The server's retry policy; each reaction's retry: keys win within its ceilings" },
)

export const AreaDetailsSchema = Type.Object({
  ...summaryProperties,
  trigger: TriggerStateSchema,
  recentEvents: Type.Array(EventSummarySchema, { description: 'The latest events, newest first' }),
  retry: Type.Optional(ServerRetrySchema),
})

export const AreaList = page(AreaSummarySchema)

export const Outcome = Type.Union([
  Type.Literal('created'),
  Type.Literal('updated'),
  Type.Literal('unchanged'),
])

export const ApplyAnswer = Type.Object({
  outcome: Outcome,
  changes: Type.Array(Type.String(), {
    description: 'Parts that changed: description, labels, enabled, trigger, action, reactions',
  }),
  area: AreaDetailsSchema,
})

export const ApplyMode = Type.Union([Type.Literal('apply'), Type.Literal('create')])

export const BatchBody = Type.Object(
  {
    documents: Type.Array(AreaDocumentSchema, {
      description: 'At most AREA_MAX_APPLY_DOCUMENTS (500 by default); more is a 413',
    }),
    prune: Type.Optional(Type.Boolean({ description: 'Delete your AREAs whose names are not in documents' })),
    dryRun: Type.Optional(Type.Boolean({ description: 'Answer what would change; write nothing' })),
    labelSelector: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: 'With prune: delete only the AREAs matching it (kubectl syntax, as GET /v1/areas)',
      }),
    ),
    mode: Type.Optional(ApplyMode),
    owner: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Who manages these AREAs (a pipeline, a person): recorded on each AREA written; an AREA owned by another is refused, and prune deletes only AREAs of this owner',
      }),
    ),
    takeOwnership: Type.Optional(
      Type.Boolean({ description: 'Move AREAs owned by another owner to this one instead of refusing them' }),
    ),
  },
  { additionalProperties: false },
)

export const BatchAnswer = Type.Object({
  dryRun: Type.Boolean(),
  results: Type.Array(
    Type.Object({
      name: Type.String(),
      outcome: Type.Union([...Outcome.anyOf, Type.Literal('deleted')]),
      changes: Type.Array(Type.String()),
      before: Type.Optional(Type.Unknown({ description: 'Dry runs and updates: the stored document' })),
      after: Type.Optional(Type.Unknown({ description: 'Dry runs and updates: the document once applied' })),
      owner: Type.Optional(
        Type.Object(
          { before: Nullable(Type.String()), after: Nullable(Type.String()) },
          { description: 'When the apply changes who owns the AREA: the owner before and after' },
        ),
      ),
    }),
  ),
  pruned: Type.Array(Type.String()),
})

export const StateAnswer = Type.Object({
  outcome: Type.Union([Type.Literal('updated'), Type.Literal('unchanged')]),
  area: AreaDetailsSchema,
})

export const EnableBody = Nullable(
  Type.Object(
    {
      catch_up: Type.Optional(
        Type.Boolean({
          description:
            "true: fire the polling slots that fell while the AREA was disabled, as its action's catch_up says; default false: its trigger starts at its next slot",
        }),
      ),
    },
    { additionalProperties: false },
  ),
)

export const RunBody = Nullable(
  Type.Object(
    {
      event: Type.Optional(
        Type.Record(Type.String(), Type.Unknown(), {
          description: "The event; default: the action's example event (area services describe)",
        }),
      ),
    },
    { additionalProperties: false },
  ),
)

export const RunAnswer = Type.Object({
  hookLogId: Type.String({ format: 'uuid' }),
  deliveryId: Type.String(),
})

/** One AREA document as a request body (validated again, against the registry, by normalizeArea). */
export const AreaDocumentBody = AreaDocumentSchema
