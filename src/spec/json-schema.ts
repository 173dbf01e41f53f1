// biome-ignore-all lint/suspicious/noThenProperty: `if`/`then` are JSON Schema keywords here, not a thenable
/**
 * The JSON Schema of one AREA document, generated from the registry: `area schema` prints it
 * for editors (yaml-language-server reads `# yaml-language-server: $schema=…`) and other tools.
 *
 * Draft-07, because yaml-language-server and most editors support it best. Each known service
 * and each of its actions and reactions gets an `if`/`then` (not a `oneOf`): an editor then
 * reports "action must be one of …" or the one bad param, rather than "matches none of 12
 * alternatives". Unknown keys are errors at every level the engine knows. Values may hold
 * `${VAR}` references, and reaction params `{{ … }}` templates (see schema-placeholders.ts).
 *
 * The schema catches what an editor can; `area validate` remains the reference: it also checks
 * template references, cron expressions, connections and cross-document names.
 */
import type { TSchema } from '@sinclair/typebox'
import type { ActionDefinition, ReactionDefinition, ServiceDefinition } from '../engine/define.js'
import { actionRequiresConnection, reactionRequiresConnection } from '../engine/define.js'
import type { Registry } from '../engine/registry.js'
import { ActionSchema, AreaDocumentSchema, apiVersion, ReactionSchema, TriggerSchema } from './document.js'
import { allowPlaceholders, type JsonSchema } from './schema-placeholders.js'

export const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#'

export function areaJsonSchema(registry: Registry): JsonSchema {
  const document = plain(AreaDocumentSchema)
  const properties = document.properties as Record<string, JsonSchema>
  const spec = properties.spec as JsonSchema & { properties: Record<string, JsonSchema> }
  return {
    $schema: JSON_SCHEMA_DRAFT,
    title: 'AREA',
    description:
      'One AREA: a trigger (spec.action) and the reactions it runs. A file may hold several, separated by ---. Check a file with `area validate -f <file>`.',
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    // One reaction schema for both lists (reactions, on_failure): it is most of the document's size.
    definitions: { reaction: reactionSchema(registry) },
    properties: {
      apiVersion: { type: 'string', const: apiVersion, description: `Always ${apiVersion}` },
      kind: { type: 'string', const: 'Area', description: 'Always Area' },
      metadata: allowPlaceholders(
        { ...(properties.metadata as JsonSchema), description: 'Name, description and labels of the AREA' },
        { templates: false },
      ),
      spec: {
        type: 'object',
        description: 'What triggers the AREA and what it does',
        additionalProperties: false,
        required: ['action', 'reactions'],
        properties: {
          enabled: allowPlaceholders(
            { type: 'boolean', default: true, description: 'false keeps the AREA but stops it from firing' },
            { templates: false },
          ),
          action: actionSchema(registry),
          // Flow control (docs/architecture.md, "Flow control").
          concurrency: allowPlaceholders(spec.properties.concurrency as JsonSchema, { templates: false }),
          rate_limit: allowPlaceholders(spec.properties.rate_limit as JsonSchema, { templates: false }),
          debounce: allowPlaceholders(spec.properties.debounce as JsonSchema, { templates: false }),
          reactions: {
            ...(spec.properties.reactions as JsonSchema),
            description:
              'What to do when the action fires: each after the one above, or after its needs; a reaction reads the ones it needs',
            items: { $ref: '#/definitions/reaction' },
          },
          on_failure: {
            ...(spec.properties.on_failure as JsonSchema),
            items: { $ref: '#/definitions/reaction' },
          },
        },
      },
    },
  }
}

function actionSchema(registry: Registry): JsonSchema {
  const services = registry.services.filter((s) => s.actions.length > 0)
  const base = plain(ActionSchema)
  return {
    type: 'object',
    description: 'The trigger: one action of one service',
    additionalProperties: false,
    required: ['service', 'action'],
    properties: {
      service: serviceProperty(services, 'Service of the action'),
      action: {
        type: 'string',
        minLength: 1,
        description: 'Action of the service (`area services describe <service>`)',
      },
      connection: allowPlaceholders(property(base, 'connection'), { templates: false }),
      trigger: allowPlaceholders(property(base, 'trigger'), { templates: false }),
      when: allowPlaceholders(property(base, 'when'), { templates: false }),
      event: property(base, 'event'),
      params: { type: 'object', description: 'Parameters of the action' },
    },
    allOf: services.flatMap((service) => [
      member(service, 'action', service.actions),
      ...service.actions.map((action) => actionCase(service, action)),
    ]),
  }
}

const LANGUAGE_KEYS = ['when', 'needs', 'for_each', 'continue_on_error', 'retry', 'timeout'] as const

function reactionSchema(registry: Registry): JsonSchema {
  const services = registry.services.filter((s) => s.reactions.length > 0)
  const base = plain(ReactionSchema)
  return {
    type: 'object',
    description: 'One reaction: a reaction of one service, with an id later reactions can refer to',
    additionalProperties: false,
    required: ['id', 'service', 'reaction'],
    properties: {
      id: allowPlaceholders(property(base, 'id'), { templates: false }),
      service: serviceProperty(services, 'Service of the reaction'),
      reaction: {
        type: 'string',
        minLength: 1,
        description: 'Reaction of the service (`area services describe <service>`)',
      },
      connection: allowPlaceholders(
        { ...property(base, 'connection'), description: 'Name of a connection (credentials)' },
        { templates: false },
      ),
      // The AREA language's keys (document.ts describes them; normalize.ts checks the rest).
      ...Object.fromEntries(
        LANGUAGE_KEYS.map((key) => [key, allowPlaceholders(property(base, key), { templates: false })]),
      ),
      params: { type: 'object', description: 'Parameters of the reaction; values may be {{ … }} templates' },
    },
    allOf: services.flatMap((service) => [
      member(service, 'reaction', service.reactions),
      ...service.reactions.map((reaction) => reactionCase(service, reaction)),
    ]),
  }
}

function serviceProperty(services: readonly ServiceDefinition[], title: string): JsonSchema {
  const ids = services.map((s) => s.id)
  const listing = services.map((s) => `${s.id}: ${s.description}`).join('; ')
  const schema: JsonSchema = { type: 'string', minLength: 1, description: `${title}. ${listing}` }
  // An empty enum is not valid JSON Schema: with no service, any name is "unknown" to `validate`.
  if (ids.length > 0) schema.enum = ids
  return allowPlaceholders(schema, { templates: false })
}

/** For one service: the action (or reaction) must be one of the service's. */
function member(
  service: ServiceDefinition,
  key: 'action' | 'reaction',
  items: readonly (ActionDefinition | ReactionDefinition)[],
): JsonSchema {
  return {
    if: { type: 'object', properties: { service: { const: service.id } }, required: ['service'] },
    then: {
      properties: {
        [key]: allowPlaceholders(
          {
            type: 'string',
            enum: items.map((i) => i.id),
            description: `${key === 'action' ? 'Action' : 'Reaction'} of ${service.name}. ${items.map((i) => `${i.id}: ${i.description}`).join('; ')}`,
          },
          { templates: false },
        ),
      },
    },
  }
}

function actionCase(service: ServiceDefinition, action: ActionDefinition): JsonSchema {
  const params = paramsSchema(action.params, `${service.name} · ${action.name}: ${action.description}`, false)
  const required: string[] = []
  if (hasRequired(params)) required.push('params')
  if (actionRequiresConnection(service, action)) required.push('connection')
  // With both kinds the engine cannot choose: the file must (see resolveTrigger in normalize.ts).
  if (action.webhook && action.polling) required.push('trigger')
  return {
    if: whenSelected(service.id, 'action', action.id),
    then: {
      properties: { params, trigger: triggerFor(action), ...connectionFor(required) },
      ...(required.length ? { required } : {}),
    },
  }
}

function reactionCase(service: ServiceDefinition, reaction: ReactionDefinition): JsonSchema {
  const params = paramsSchema(
    reaction.params,
    `${service.name} · ${reaction.name}: ${reaction.description}`,
    true,
  )
  const required: string[] = []
  if (hasRequired(params)) required.push('params')
  if (reactionRequiresConnection(service, reaction)) required.push('connection')
  return {
    if: whenSelected(service.id, 'reaction', reaction.id),
    then: { properties: { params, ...connectionFor(required) }, ...(required.length ? { required } : {}) },
  }
}

/** Strict validators want every required property described where it is required. */
function connectionFor(required: string[]): JsonSchema {
  if (!required.includes('connection')) return {}
  return {
    connection: allowPlaceholders(
      {
        type: 'string',
        minLength: 1,
        description: 'Name of a connection holding this service’s credentials (`area connections list`)',
      },
      { templates: false },
    ),
  }
}

function whenSelected(service: string, key: string, id: string): JsonSchema {
  return {
    type: 'object',
    properties: { service: { const: service }, [key]: { const: id } },
    required: ['service', key],
  }
}

function paramsSchema(schema: TSchema, description: string, templates: boolean): JsonSchema {
  const params = allowPlaceholders(plain(schema), { templates })
  const example = exampleParams(plain(schema))
  return { ...params, description, ...(example ? { examples: [example] } : {}) }
}

/** The trigger forms this action accepts. */
function triggerFor(action: ActionDefinition): JsonSchema {
  const forms = (plain(TriggerSchema).anyOf as JsonSchema[]) ?? []
  const [webhook, polling, pollingEvery] = forms
  if (!action.polling) {
    return allowPlaceholders(
      { ...webhook, description: 'Fires when the AREA’s webhook URL is called; may be omitted' },
      { templates: false },
    )
  }
  const description = action.polling.schedule
    ? 'Polled on the schedule its params set; may be omitted'
    : `Polled every ${action.polling.defaultIntervalSeconds}s unless { polling: { interval } } says otherwise${action.webhook ? '' : '; may be omitted'}`
  const accepted = action.webhook ? [webhook, polling, pollingEvery] : [polling, pollingEvery]
  return allowPlaceholders({ anyOf: accepted.filter(Boolean), description }, { templates: false })
}

/** A params object built from each required param's first example (or default), for hovers. */
function exampleParams(schema: JsonSchema): Record<string, unknown> | undefined {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = (schema.required ?? []) as string[]
  if (required.length === 0) return undefined
  const example: Record<string, unknown> = {}
  for (const key of required) {
    const property = properties[key]
    const value = (property?.examples as unknown[] | undefined)?.[0] ?? property?.default
    if (value === undefined) return undefined
    example[key] = value
  }
  return example
}

function hasRequired(schema: JsonSchema): boolean {
  const required = schema.anyOf ? undefined : schema.required
  return Array.isArray(required) && required.length > 0
}

function property(schema: JsonSchema, key: string): JsonSchema {
  return ((schema.properties ?? {}) as Record<string, JsonSchema>)[key] ?? {}
}

/** TypeBox schemas carry symbols (Kind, Optional); the JSON form drops them. */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema
}
