/**
 * Checks an AREA document against the registry and turns it into its canonical form: trigger
 * resolved, defaults filled in, templates checked. The canonical document is what is stored,
 * exported and hashed, so applying an unchanged file is a no-op.
 */
import { Ajv } from 'ajv'
import { canonicalHash } from '../engine/canonical-json.js'
import type { ActionDefinition, Schedule, ServiceDefinition } from '../engine/define.js'
import { actionRequiresConnection, reactionRequiresConnection } from '../engine/define.js'
import { didYouMean } from '../engine/did-you-mean.js'
import { formatDuration, parseDuration } from '../engine/duration.js'
import { type Issue, ValidationError } from '../engine/errors.js'
import { validateParams } from '../engine/params.js'
import type { Registry } from '../engine/registry.js'
import { validateCron } from '../engine/schedule.js'
import { checkTemplates, isTemplate } from '../engine/templates.js'
import type { JsonObject, JsonValue } from '../engine/types.js'
import { type AreaDocument, AreaDocumentSchema, type ReactionSpec } from './document.js'
import { documentIssues } from './document-issues.js'
import { MAX_POLL_INTERVAL_SECONDS } from './limits.js'

export type NormalizedTrigger = { type: 'webhook' } | { type: 'polling'; schedule: Schedule }

export interface NormalizedArea {
  name: string
  description: string
  labels: Record<string, string>
  enabled: boolean
  action: {
    service: string
    action: string
    connection: string | undefined
    trigger: NormalizedTrigger
    params: JsonObject
  }
  reactions: {
    ref: string
    service: string
    reaction: string
    connection: string | undefined
    params: JsonObject
  }[]
  /** The canonical document: what export prints and what `specHash` covers. */
  document: AreaDocument
  specHash: string
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true })
const validateDocument = ajv.compile(AreaDocumentSchema)

/**
 * Which parts of a document the schema accepted. Every problem is reported in one pass: the
 * registry checks still run on the parts whose shape is right, and skip the rest (their problem
 * is already reported, and a check of a malformed value would only add noise).
 */
interface Shape {
  /** No problem at `path` nor above it: a container that can be walked into. */
  intact(path: string): boolean
  /** No problem at, above or below `path`: a value that can be used as it is. */
  clean(path: string): boolean
}

function shapeFrom(issues: readonly Issue[]): Shape {
  const above = (issue: Issue, path: string) => path === issue.path || path.startsWith(`${issue.path}/`)
  return {
    intact: (path) => !issues.some((i) => above(i, path)),
    clean: (path) => !issues.some((i) => above(i, path) || i.path.startsWith(`${path}/`)),
  }
}

/** Validates one document; throws a ValidationError naming every field at fault. */
export function normalizeArea(input: unknown, registry: Registry): NormalizedArea {
  const issues: Issue[] = validateDocument(input) ? [] : documentIssues(validateDocument.errors ?? [])
  const shape = shapeFrom(issues)
  const doc = input as AreaDocument
  const action = shape.intact('/spec/action') ? normalizeAction(doc, registry, issues, shape) : undefined
  const reactions = shape.intact('/spec/reactions')
    ? normalizeReactions(doc.spec.reactions, registry, issues, shape)
    : []
  if (issues.length > 0 || !action) throw new ValidationError(issues)

  const document: AreaDocument = {
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    metadata: {
      name: doc.metadata.name,
      ...(doc.metadata.description ? { description: doc.metadata.description } : {}),
      ...(doc.metadata.labels && Object.keys(doc.metadata.labels).length
        ? { labels: doc.metadata.labels }
        : {}),
    },
    spec: {
      enabled: doc.spec.enabled ?? true,
      action: {
        service: action.service,
        action: action.action,
        ...(action.connection ? { connection: action.connection } : {}),
        trigger: action.triggerSpec,
        params: action.params,
      },
      reactions: reactions.map((r) => ({
        id: r.ref,
        service: r.service,
        reaction: r.reaction,
        ...(r.connection ? { connection: r.connection } : {}),
        params: r.params,
      })),
    },
  }
  return {
    name: doc.metadata.name,
    description: doc.metadata.description ?? '',
    labels: doc.metadata.labels ?? {},
    enabled: doc.spec.enabled ?? true,
    action: {
      service: action.service,
      action: action.action,
      connection: action.connection,
      trigger: action.trigger,
      params: action.params,
    },
    reactions,
    document,
    specHash: canonicalHash(document),
  }
}

function normalizeAction(doc: AreaDocument, registry: Registry, issues: Issue[], shape: Shape) {
  const spec = doc.spec.action
  if (!shape.clean('/spec/action/service')) return undefined
  const service = lookupService(registry, spec.service, '/spec/action/service', issues)
  if (!service || !shape.clean('/spec/action/action')) return undefined
  const action = service.actions.find((a) => a.id === spec.action)
  if (!action) {
    issues.push({
      path: '/spec/action/action',
      message: `service "${service.id}" has no action "${spec.action}"${didYouMean(spec.action, ids(service.actions))} (actions: ${list(service.actions)})`,
    })
    return undefined
  }
  if (
    actionRequiresConnection(service, action) &&
    !spec.connection &&
    shape.clean('/spec/action/connection')
  ) {
    issues.push({
      path: '/spec/action/connection',
      message: `${service.id}.${action.id} needs a connection: name one (see \`area connections list\`)`,
    })
  }
  const params = shape.clean('/spec/action/params')
    ? validateParams(action.params, (spec.params ?? {}) as JsonValue, '/spec/action/params', 'trigger')
    : undefined
  if (params && !params.ok) issues.push(...params.issues)
  if (shape.clean('/spec/action/params'))
    issues.push(...findTemplates((spec.params ?? {}) as JsonValue, '/spec/action/params'))
  // The trigger is checked even when the params are wrong, so one run reports both.
  const known = params?.ok ? params.value : undefined
  const trigger = shape.clean('/spec/action/trigger')
    ? resolveTrigger(service, action, spec.trigger, known, issues)
    : undefined
  if (!trigger || !params?.ok) return undefined
  return {
    service: service.id,
    action: action.id,
    connection: spec.connection,
    params: params.value,
    trigger: trigger.normalized,
    triggerSpec: trigger.spec,
  }
}

type TriggerInput = AreaDocument['spec']['action']['trigger']

function resolveTrigger(
  service: ServiceDefinition,
  action: ActionDefinition,
  input: TriggerInput,
  /** Undefined when the params are invalid (already reported): a schedule from them is unknown. */
  params: JsonObject | undefined,
  issues: Issue[],
): { normalized: NormalizedTrigger; spec: NonNullable<TriggerInput> } | undefined {
  const path = '/spec/action/trigger'
  const name = `${service.id}.${action.id}`
  const wantsWebhook = input === 'webhook' || (input === undefined && action.webhook && !action.polling)
  if (input === undefined && action.webhook && action.polling) {
    issues.push({ path, message: `${name} supports webhook and polling: set trigger to one of them` })
    return undefined
  }
  if (wantsWebhook) {
    if (!action.webhook) {
      issues.push({ path, message: `${name} cannot be triggered by a webhook; use polling` })
      return undefined
    }
    return { normalized: { type: 'webhook' }, spec: 'webhook' }
  }
  const polling = action.polling
  if (!polling) {
    issues.push({ path, message: `${name} cannot be polled; use trigger: webhook` })
    return undefined
  }
  const explicit = typeof input === 'object' ? boundedDuration(input.polling.interval, issues) : undefined
  if (explicit === null) return undefined
  if (polling.schedule) {
    if (params === undefined) return undefined
    // The cadence comes from the params (timer actions); an explicit interval must agree.
    let schedule: Schedule
    try {
      schedule = polling.schedule(params as never)
    } catch (error) {
      // A duration param too large to count in seconds, say.
      issues.push({ path: '/spec/action/params', message: (error as Error).message })
      return undefined
    }
    if (schedule.kind === 'interval' && schedule.seconds > MAX_POLL_INTERVAL_SECONDS) {
      issues.push({ path: '/spec/action/params', message: tooLong })
      return undefined
    }
    if (schedule.kind === 'cron') {
      const problem = validateCron(schedule.expression, schedule.timezone)
      if (problem) {
        issues.push({ path: '/spec/action/params', message: problem })
        return undefined
      }
    }
    if (explicit !== undefined && (schedule.kind !== 'interval' || schedule.seconds !== explicit)) {
      issues.push({
        path: `${path}/polling/interval`,
        message: `${name} takes its cadence from its params; the trigger interval must agree with them or be left out`,
      })
      return undefined
    }
    return { normalized: { type: 'polling', schedule }, spec: 'polling' }
  }
  const seconds = explicit ?? polling.defaultIntervalSeconds
  const minimum = polling.minIntervalSeconds ?? 1
  if (seconds < minimum) {
    issues.push({
      path: `${path}/polling/interval`,
      message: `must be at least ${formatDuration(minimum)} for ${name}`,
    })
    return undefined
  }
  return {
    normalized: { type: 'polling', schedule: { kind: 'interval', seconds } },
    spec: { polling: { interval: formatDuration(seconds) } },
  }
}

const tooLong = `the interval must be at most ${formatDuration(MAX_POLL_INTERVAL_SECONDS)} (10 years); use a cron schedule for rarer runs`

/** A trigger interval in seconds; null (with an issue) when it is too long to schedule. */
function boundedDuration(text: string, issues: Issue[]): number | null {
  const path = '/spec/action/trigger/polling/interval'
  let seconds: number
  try {
    seconds = parseDuration(text)
  } catch (error) {
    issues.push({ path, message: (error as Error).message })
    return null
  }
  if (seconds > MAX_POLL_INTERVAL_SECONDS) {
    issues.push({ path, message: tooLong })
    return null
  }
  return seconds
}

function normalizeReactions(
  specs: ReactionSpec[],
  registry: Registry,
  issues: Issue[],
  shape: Shape,
): NormalizedArea['reactions'] {
  const out: NormalizedArea['reactions'] = []
  const seen = new Set<string>()
  specs.forEach((spec, index) => {
    const base = `/spec/reactions/${index}`
    if (!shape.intact(base)) return
    const earlier = [...seen]
    if (shape.clean(`${base}/id`)) {
      if (seen.has(spec.id))
        issues.push({ path: `${base}/id`, message: `reaction id "${spec.id}" is used twice` })
      seen.add(spec.id)
    }
    if (!shape.clean(`${base}/service`)) return
    const service = lookupService(registry, spec.service, `${base}/service`, issues)
    if (!service || !shape.clean(`${base}/reaction`)) return
    const reaction = service.reactions.find((r) => r.id === spec.reaction)
    if (!reaction) {
      issues.push({
        path: `${base}/reaction`,
        message: `service "${service.id}" has no reaction "${spec.reaction}"${didYouMean(spec.reaction, ids(service.reactions))} (reactions: ${list(service.reactions)})`,
      })
      return
    }
    if (
      reactionRequiresConnection(service, reaction) &&
      !spec.connection &&
      shape.clean(`${base}/connection`)
    ) {
      issues.push({
        path: `${base}/connection`,
        message: `${service.id}.${reaction.id} needs a connection: name one (see \`area connections list\`)`,
      })
    }
    if (!shape.clean(`${base}/params`)) return
    const params = validateParams(
      reaction.params,
      (spec.params ?? {}) as JsonValue,
      `${base}/params`,
      'apply',
    )
    // Template references are checked even when a param is wrong, so one run reports both.
    issues.push(...checkTemplates((spec.params ?? {}) as JsonValue, `${base}/params`, earlier))
    if (!params.ok) {
      issues.push(...params.issues)
      return
    }
    out.push({
      ref: spec.id,
      service: service.id,
      reaction: reaction.id,
      connection: spec.connection,
      params: params.value,
    })
  })
  return out
}

function lookupService(registry: Registry, id: string, path: string, issues: Issue[]) {
  const service = registry.service(id)
  if (!service)
    issues.push({
      path,
      message: `unknown service "${id}"${didYouMean(id, ids(registry.services))} (services: ${list(registry.services)})`,
    })
  return service
}

function ids(items: readonly { id: string }[]): string[] {
  return items.map((i) => i.id)
}

function list(items: readonly { id: string }[]): string {
  return items.map((i) => i.id).join(', ') || 'none'
}

/** Action params configure the trigger itself, before any event exists: no templates there. */
function findTemplates(value: JsonValue, path: string): Issue[] {
  if (typeof value === 'string') {
    return isTemplate(value) ? [{ path, message: 'templates are not allowed in action params' }] : []
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findTemplates(item, `${path}/${i}`))
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => findTemplates(item, `${path}/${key}`))
  }
  return []
}
