/**
 * The catalog, read from the registry this process runs (the catalog tables are its copy):
 * what `area services list` and `area services describe <service>` print.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import { page, problemResponses } from '../../../contract/common.js'
import {
  type ActionSchema,
  type ParamSchema,
  type ReactionSchema,
  ServiceDetailsSchema,
  ServiceParams,
  ServiceSummarySchema,
} from '../../../contract/services.js'
import {
  type ActionDefinition,
  actionRequiresConnection,
  type ReactionDefinition,
  reactionRequiresConnection,
  type ServiceDefinition,
} from '../../../engine/define.js'
import { describeParams } from '../../../store/catalog.js'
import { ProblemError } from '../problems.js'
import type { RouteOptions } from './auth.js'

export const serviceRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/services',
    {
      schema: {
        summary: 'Every service with its actions and reactions',
        tags: ['catalog'],
        response: { 200: page(ServiceSummarySchema), ...problemResponses },
      },
    },
    async () => ({ items: ctx.registry.services.map(serviceSummary), nextCursor: null }),
  )

  app.get(
    '/services/:service',
    {
      schema: {
        summary: 'One service: actions (triggers, params, example event) and reactions (params)',
        tags: ['catalog'],
        params: ServiceParams,
        response: { 200: ServiceDetailsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const service = ctx.registry.service(request.params.service)
      if (!service) {
        const known = ctx.registry.services.map((s) => s.id).join(', ')
        throw new ProblemError(
          'service_not_found',
          `no service "${request.params.service}" (services: ${known})`,
        )
      }
      return serviceDetails(service)
    },
  )
}

const triggersOf = (action: ActionDefinition): ('webhook' | 'polling')[] => [
  ...(action.webhook ? (['webhook'] as const) : []),
  ...(action.polling ? (['polling'] as const) : []),
]

function serviceSummary(service: ServiceDefinition): Static<typeof ServiceSummarySchema> {
  return {
    id: service.id,
    name: service.name,
    description: service.description,
    authKind: service.auth.kind,
    actions: service.actions.map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      triggers: triggersOf(a),
    })),
    reactions: service.reactions.map((r) => ({ id: r.id, name: r.name, description: r.description })),
  }
}

function serviceDetails(service: ServiceDefinition): Static<typeof ServiceDetailsSchema> {
  return {
    id: service.id,
    name: service.name,
    description: service.description,
    authKind: service.auth.kind,
    actions: service.actions.map((a) => actionDetails(service, a)),
    reactions: service.reactions.map((r) => reactionDetails(service, r)),
  }
}

function actionDetails(service: ServiceDefinition, action: ActionDefinition): Static<typeof ActionSchema> {
  return {
    id: action.id,
    name: action.name,
    description: action.description,
    triggers: triggersOf(action),
    requiresConnection: actionRequiresConnection(service, action),
    defaultPollingIntervalSeconds: action.polling?.defaultIntervalSeconds ?? null,
    minPollingIntervalSeconds: action.polling ? (action.polling.minIntervalSeconds ?? 1) : null,
    scheduleFromParams: action.polling?.schedule !== undefined,
    params: paramsOf(action.params),
    paramsSchema: jsonSchema(action.params),
    exampleEvent: action.exampleEvent ?? null,
  }
}

function reactionDetails(
  service: ServiceDefinition,
  reaction: ReactionDefinition,
): Static<typeof ReactionSchema> {
  return {
    id: reaction.id,
    name: reaction.name,
    description: reaction.description,
    requiresConnection: reactionRequiresConnection(service, reaction),
    params: paramsOf(reaction.params),
    paramsSchema: jsonSchema(reaction.params),
  }
}

function paramsOf(schema: ActionDefinition['params']): Static<typeof ParamSchema>[] {
  return describeParams(schema).map((p) => ({
    name: p.name,
    type: p.type,
    required: p.required,
    description: p.description,
    ...(p.defaultValue === null ? {} : { default: p.defaultValue }),
  }))
}

/** TypeBox schemas carry symbol keys; the answer is the plain JSON Schema. */
function jsonSchema(schema: object): unknown {
  return JSON.parse(JSON.stringify(schema))
}
