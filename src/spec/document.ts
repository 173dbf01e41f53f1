/**
 * The AREA file's document shape (docs/architecture.md, "The AREA file"), as one TypeBox schema: it
 * validates documents, types them, and is the base of the JSON Schema that `area schema` prints.
 */
import { type Static, Type } from '@sinclair/typebox'
import { DEFAULT_CATCH_UP_ALL_MAX, MAX_CATCH_UP } from '../engine/catch-up.js'
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

const catchUpModes = [Type.Literal('none'), Type.Literal('latest'), Type.Literal('all')]

/** Checked further by normalize-catch-up.ts (`all` for timers only, `max` with `all` only). */
export const CatchUpSchema = Type.Union(
  [
    // The modes spelled out rather than a nested union: one error for a wrong word, not two.
    ...catchUpModes,
    Type.Object(
      {
        mode: Type.Union(catchUpModes, { description: 'none, latest or all', examples: ['all'] }),
        max: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: MAX_CATCH_UP,
            description: `mode all: the most missed slots fired at once, the newest kept (1 to ${MAX_CATCH_UP}, default ${DEFAULT_CATCH_UP_ALL_MAX})`,
            examples: [24],
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      'Polling triggers: what to do with the slots that fell while the server or the AREA was down. latest (the default): fire once, for the newest; none: skip them; all (timers only): one event per missed slot, at most max',
    examples: ['none', 'latest', { mode: 'all', max: 24 }],
  },
)

/** The AREA language's keys (docs/architecture.md, "The AREA language"); normalize.ts checks the rest. */
const Duration = (description: string, example: string) =>
  Type.String({ pattern: POSITIVE_DURATION_PATTERN, description, examples: [example] })

export const ActionSchema = Type.Object(
  {
    service: Type.String({ minLength: 1, description: 'Service id, e.g. github' }),
    action: Type.String({ minLength: 1, description: 'Action id within the service, e.g. issue_opened' }),
    connection: Type.Optional(
      Type.String({ minLength: 1, description: 'Name of a connection (credentials)' }),
    ),
    trigger: Type.Optional(TriggerSchema),
    catch_up: Type.Optional(CatchUpSchema),
    when: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'A CEL condition on the event (reads trigger and area): an event for which it is false is recorded as skipped and runs nothing',
        examples: ['trigger.issue.labels.exists(l, l.name == "bug")'],
      }),
    ),
    event: Type.Optional(
      Type.Object(
        {
          schema: Type.Optional(
            Type.Union([
              Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON Schema (draft-07)' }),
              Type.String({ minLength: 1, description: 'A .json or .yaml file, relative to the AREA file' }),
            ]),
          ),
          example: Type.Optional(
            Type.Union([
              Type.Record(Type.String(), Type.Unknown(), { description: 'An event' }),
              Type.String({ minLength: 1, description: 'A .json or .yaml file, relative to the AREA file' }),
            ]),
          ),
        },
        {
          additionalProperties: false,
          description:
            'webhook.received only: the event the sender posts, as a JSON Schema and/or an example (inline or a file); templates and expressions are type-checked against it',
        },
      ),
    ),
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
    when: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'A CEL condition (reads trigger, reactions.<id> of the reactions it needs, area, and error in on_failure): false skips this reaction, the others still run',
        examples: ['size(trigger.issue.body) > 0'],
      }),
    ),
    needs: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        maxItems: 60,
        description:
          'Ids of the reactions (same list) that must finish first; reactions whose needs are met run in parallel. Absent: the reaction above (none for the first); []: start at once',
        examples: [['triage']],
      }),
    ),
    for_each: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'A CEL list: the reaction runs once per item, with {{ item }} and {{ index }} in its params; its output is the list of the items’ outputs',
        examples: ['trigger.issue.labels'],
      }),
    ),
    continue_on_error: Type.Optional(
      Type.Boolean({
        description:
          'true: a failure of this reaction does not fail the AREA’s run; what needs it still runs',
      }),
    ),
    retry: Type.Optional(
      Type.Object(
        {
          attempts: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 10, description: 'Attempts in all, 1 to 10' }),
          ),
          backoff: Type.Optional(
            Type.Union([Type.Literal('exponential'), Type.Literal('fixed')], {
              description: 'exponential (the default) doubles the delay after each attempt; fixed keeps it',
            }),
          ),
          delay: Type.Optional(
            Duration('First delay between attempts, 1s to 1h (default: the server’s)', '2s'),
          ),
          max_delay: Type.Optional(Duration('Longest delay between attempts, 1s to 1h', '1m')),
        },
        {
          additionalProperties: false,
          description: 'How this reaction is retried, within the server’s ceilings (the lower applies)',
        },
      ),
    ),
    timeout: Type.Optional(
      Duration('Longest one attempt may run, 1s to 15m, within the server’s ceiling', '30s'),
    ),
    params: Type.Optional(Params),
  },
  { additionalProperties: false },
)

/**
 * Flow control (docs/architecture.md, "Flow control"): how many of this AREA's events run at once,
 * how often they may start, and bursts folded into one run. Bounds beyond the schema's (durations)
 * are checked by normalize-flow.ts.
 */
const FlowKey = Type.String({
  minLength: 1,
  description:
    'A CEL expression over the event (reads trigger and area) giving a string, number or bool: events with different keys are limited apart',
  examples: ['trigger.repository.id'],
})

/** Most events of one AREA (or one key) in flight at once; the user's share still applies. */
export const MAX_FLOW_CONCURRENCY = 100

export const ConcurrencySchema = Type.Union(
  [
    Type.Integer({ minimum: 1, maximum: MAX_FLOW_CONCURRENCY }),
    Type.Object(
      {
        limit: Type.Integer({
          minimum: 1,
          maximum: MAX_FLOW_CONCURRENCY,
          description: 'Events in flight at once, per key',
          examples: [1],
        }),
        key: Type.Optional(FlowKey),
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      'Events of this AREA in flight at once, across every worker (1 to 100), optionally per key; the others wait',
    examples: [1, { limit: 1, key: 'trigger.repository.id' }],
  },
)

export const RateLimitSchema = Type.Object(
  {
    events: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: 'Events that may start within `per`',
      examples: [10],
    }),
    per: Type.String({
      pattern: POSITIVE_DURATION_PATTERN,
      description: 'The window, 1s to 1d',
      examples: ['1m'],
    }),
    connection: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'A connection this AREA uses: the budget is shared by every one of your AREAs that names it, instead of this AREA’s own',
        examples: ['github-work'],
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'At most `events` of this AREA start per `per`, across every worker; the others wait (none is dropped). A 429 or 503 with Retry-After holds the further ones until then',
    examples: [{ events: 10, per: '1m' }],
  },
)

export const DebounceSchema = Type.Union(
  [
    // Its form and bounds are checked by normalize-flow.ts: a union's message would not say which.
    Type.String({ minLength: 1 }),
    Type.Object(
      {
        wait: Type.String({
          pattern: POSITIVE_DURATION_PATTERN,
          description: 'Quiet time after the last event, 1s to 1h',
          examples: ['30s'],
        }),
        key: Type.Optional(FlowKey),
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      'One run per burst, with its last event, once no event came for this long (1s to 1h), optionally per key; the earlier events are recorded as skipped',
    examples: ['30s', { wait: '30s', key: 'trigger.issue.number' }],
  },
)

/** At most this many `on_failure` reactions per AREA. */
export const MAX_ON_FAILURE = 10

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
        concurrency: Type.Optional(ConcurrencySchema),
        rate_limit: Type.Optional(RateLimitSchema),
        debounce: Type.Optional(DebounceSchema),
        reactions: Type.Array(ReactionSchema, { minItems: 1, maxItems: 50 }),
        on_failure: Type.Optional(
          Type.Array(ReactionSchema, {
            maxItems: MAX_ON_FAILURE,
            description:
              'Reactions that run once when the AREA’s run fails for good, with {{ error.reaction }}, {{ error.message }}, {{ error.attempt }} and the event',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export type AreaDocument = Static<typeof AreaDocumentSchema>
export type ActionSpec = Static<typeof ActionSchema>
export type ReactionSpec = Static<typeof ReactionSchema>
