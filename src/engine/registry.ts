/**
 * The explicit list of services the engine knows. Built once at start; lookups by id. Duplicate
 * ids are a programming error and fail fast.
 */
import { oauthSettings } from './credentials.js'
import type { ActionDefinition, ReactionDefinition, ServiceDefinition, ServiceSetting } from './define.js'
import { AreaError } from './errors.js'

export interface Registry {
  readonly services: readonly ServiceDefinition[]
  service(id: string): ServiceDefinition | undefined
  action(serviceId: string, actionId: string): ActionDefinition | undefined
  reaction(serviceId: string, reactionId: string): ReactionDefinition | undefined
}

export function createRegistry(services: readonly ServiceDefinition[]): Registry {
  const byId = new Map<string, ServiceDefinition>()
  const actions = new Map<string, ActionDefinition>()
  const reactions = new Map<string, ReactionDefinition>()
  for (const service of services) {
    if (byId.has(service.id)) throw duplicate(`service "${service.id}"`)
    byId.set(service.id, service)
    for (const action of service.actions) {
      const key = `${service.id}.${action.id}`
      if (actions.has(key)) throw duplicate(`action "${key}"`)
      if (!action.polling && !action.webhook) {
        throw new AreaError('invalid_service', `action "${key}" declares neither polling nor webhook`)
      }
      actions.set(key, action)
    }
    for (const reaction of service.reactions) {
      const key = `${service.id}.${reaction.id}`
      if (reactions.has(key)) throw duplicate(`reaction "${key}"`)
      reactions.set(key, reaction)
    }
  }
  return {
    services: [...byId.values()],
    service: (id) => byId.get(id),
    action: (serviceId, actionId) => actions.get(`${serviceId}.${actionId}`),
    reaction: (serviceId, reactionId) => reactions.get(`${serviceId}.${reactionId}`),
  }
}

function duplicate(what: string): AreaError {
  return new AreaError('duplicate_registration', `${what} is registered twice`)
}

/** A service's settings: those it declares, and its OAuth client's when it has an OAuth 2 block. */
export function settingsOf(service: ServiceDefinition): Readonly<Record<string, ServiceSetting>> {
  return { ...service.settings, ...oauthSettings(service) }
}

/** Resolves a service's settings from the environment, falling back to defaults. */
export function resolveSettings(
  service: ServiceDefinition,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const resolved: Record<string, string> = {}
  for (const [key, setting] of Object.entries(settingsOf(service))) {
    resolved[key] = env[setting.env] || setting.default
  }
  return resolved
}
