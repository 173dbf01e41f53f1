/**
 * The catalog as the API shows it, read from the registry this process runs: what
 * `area services list` and `area services describe <service>` print, and what
 * `area connections add` prompts for.
 */
import type { Static, TObject } from '@sinclair/typebox'
import type {
  ActionSchema,
  ParamSchema,
  ReactionSchema,
  ServiceCredentialsSchema,
  ServiceDetailsSchema,
  ServiceSummarySchema,
} from '../../../contract/services.js'
import {
  authKindOf,
  type CredentialsDeclaration,
  connectionKinds,
  declaredCredentials,
} from '../../../engine/credentials.js'
import {
  type ActionDefinition,
  actionRequiresConnection,
  type ReactionDefinition,
  reactionRequiresConnection,
  type ServiceDefinition,
} from '../../../engine/define.js'
import { hasSecrets } from '../../../engine/secret-params.js'
import { oauthConfigured } from '../../../features/connections/oauth/client.js'
import { type CatalogParam, describeParams } from '../../../store/catalog.js'

const triggersOf = (action: ActionDefinition): ('webhook' | 'polling')[] => [
  ...(action.webhook ? (['webhook'] as const) : []),
  ...(action.polling ? (['polling'] as const) : []),
]

export function serviceSummaryView(service: ServiceDefinition): Static<typeof ServiceSummarySchema> {
  return {
    id: service.id,
    name: service.name,
    description: service.description,
    authKind: authKindOf(service),
    actions: service.actions.map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      triggers: triggersOf(a),
    })),
    reactions: service.reactions.map((r) => ({ id: r.id, name: r.name, description: r.description })),
  }
}

/** `settings`: the service's resolved settings, which say whether its OAuth app is configured. */
export function serviceDetailsView(
  service: ServiceDefinition,
  settings: Readonly<Record<string, string>>,
): Static<typeof ServiceDetailsSchema> {
  return {
    id: service.id,
    name: service.name,
    description: service.description,
    authKind: authKindOf(service),
    credentials: credentialsView(service, settings),
    actions: service.actions.map((a) => actionView(service, a)),
    reactions: service.reactions.map((r) => reactionView(service, r)),
  }
}

function credentialsView(
  service: ServiceDefinition,
  settings: Readonly<Record<string, string>>,
): Static<typeof ServiceCredentialsSchema> | null {
  const declared = declaredCredentials(service)
  if (!declared) return null
  return {
    kind: declared.kind,
    kinds: connectionKinds(service),
    ...kindView(declared),
    ...(declared.alternatives?.length
      ? { alternatives: declared.alternatives.map((d) => ({ kind: d.kind, ...kindView(d) })) }
      : {}),
    oauth2: declared.oauth2
      ? { scopes: [...declared.oauth2.scopes], configured: oauthConfigured(service, settings) }
      : null,
  }
}

function kindView(declared: CredentialsDeclaration) {
  const properties = declared.fields.properties
  return {
    fields: describeParams(declared.fields).map((field) => ({
      ...paramView(field),
      required: field.required && field.defaultValue === null,
      secret: properties[field.name]?.writeOnly === true,
    })),
    fieldsSchema: jsonSchema(declared.fields),
  }
}

function actionView(service: ServiceDefinition, action: ActionDefinition): Static<typeof ActionSchema> {
  return {
    id: action.id,
    name: action.name,
    description: action.description,
    triggers: triggersOf(action),
    requiresConnection: actionRequiresConnection(service, action),
    defaultPollingIntervalSeconds: action.polling?.defaultIntervalSeconds ?? null,
    minPollingIntervalSeconds: action.polling ? (action.polling.minIntervalSeconds ?? 1) : null,
    scheduleFromParams: action.polling?.schedule !== undefined,
    params: paramsView(action.params),
    paramsSchema: jsonSchema(action.params),
    eventSchema: action.event ? jsonSchema(action.event) : null,
    exampleEvent: action.exampleEvent ?? null,
  }
}

function reactionView(
  service: ServiceDefinition,
  reaction: ReactionDefinition,
): Static<typeof ReactionSchema> {
  return {
    id: reaction.id,
    name: reaction.name,
    description: reaction.description,
    requiresConnection: reactionRequiresConnection(service, reaction),
    params: paramsView(reaction.params),
    paramsSchema: jsonSchema(reaction.params),
    outputSchema: reaction.output ? jsonSchema(reaction.output) : null,
    exampleOutput: reaction.exampleOutput ?? null,
  }
}

/** An action's or reaction's params; secret ones say so (docs/architecture.md, "Secret params"). */
function paramsView(schema: TObject): Static<typeof ParamSchema>[] {
  return describeParams(schema).map((p) => ({
    ...paramView(p),
    ...(hasSecrets(schema.properties[p.name]) ? { secret: true } : {}),
  }))
}

function paramView(p: CatalogParam): Static<typeof ParamSchema> {
  return {
    name: p.name,
    type: p.type,
    required: p.required,
    description: p.description,
    ...(p.defaultValue === null ? {} : { default: p.defaultValue }),
  }
}

/** TypeBox schemas carry symbol keys; the answer is the plain JSON Schema. */
function jsonSchema(schema: object): unknown {
  return JSON.parse(JSON.stringify(schema))
}
