/**
 * Checks an AREA document against the registry and turns it into its canonical form: trigger
 * resolved, defaults filled in, templates checked. The canonical document is what is stored,
 * exported and hashed, so applying an unchanged file is a no-op.
 */
import { Ajv } from 'ajv'
import { canonicalHash } from '../engine/canonical-json.js'
import type { CatchUp } from '../engine/catch-up.js'
import type { ActionDefinition, Schedule, ServiceDefinition } from '../engine/define.js'
import { actionRequiresConnection } from '../engine/define.js'
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
import { declaredEventShape, eventDeclarationIssues } from './event-shape.js'
import { expressionTypeIssues } from './expression-types.js'
import { ACTION_WHEN_VARIABLES, expressionIssues } from './expressions-check.js'
import { MAX_POLL_INTERVAL_SECONDS } from './limits.js'
import { resolveCatchUp } from './normalize-catch-up.js'
import { checkFlow, writtenFlow } from './normalize-flow.js'
import {
  ids,
  list,
  lookupService,
  type NormalizedReaction,
  normalizeReactions,
} from './normalize-reactions.js'
import { type Shape, shapeFrom } from './shape.js'
import { AREA_SCHEMA, type Typed, typed } from './type-scope.js'

export type NormalizedTrigger =
  | { type: 'webhook' }
  | { type: 'polling'; schedule: Schedule; catchUp: CatchUp }

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
    /** `when:` on the action, a CEL bool (stored as `area_actions.condition`). */
    when: string | undefined
  }
  /** The main reactions in file order, then the `on_failure` ones. */
  reactions: NormalizedReaction[]
  /** The canonical document: what export prints and what `specHash` covers. */
  document: AreaDocument
  specHash: string
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true })
const validateDocument = ajv.compile(AreaDocumentSchema)

/**
 * Validates one document; throws a ValidationError naming every field at fault. What is likely
 * wrong but may be meant (a type check's warning) goes to `warnings`, which validate prints.
 */
export function normalizeArea(input: unknown, registry: Registry, warnings: Issue[] = []): NormalizedArea {
  const issues: Issue[] = validateDocument(input) ? [] : documentIssues(validateDocument.errors ?? [])
  const shape = shapeFrom(issues)
  const doc = input as AreaDocument
  const checked = shape.intact('/spec/action') ? normalizeAction(doc, registry, issues, shape) : undefined
  const action = checked?.action
  const event = checked?.event
  if (event && shape.clean('/spec/action/when')) {
    const found = expressionTypeIssues(doc.spec.action.when, 'when', '/spec/action/when', {
      roots: { trigger: event, area: typed(AREA_SCHEMA) },
      readable: [],
    })
    issues.push(...found.errors)
    warnings.push(...found.warnings)
  }
  if (action) {
    // What the action's own declaration calls likely mistakes in its params (verify.scheme none).
    const declared = registry.action(action.service, action.action)
    for (const w of declared?.warnings?.(action.params) ?? [])
      warnings.push({ path: `/spec/action/params${w.path}`, message: w.message })
  }
  const reactions = normalizeReactions(doc, registry, issues, shape, { event, warnings })
  if (shape.intact('/spec')) checkFlow(doc, shape, issues, warnings, event)
  if (issues.length > 0 || !action) throw new ValidationError(issues)
  // Each reaction as written (the AREA language's keys too), params normalized.
  const written = (r: NormalizedReaction) => {
    const { id: _id, service: _s, reaction: _r, connection: _c, params: _p, ...keys } = specAt(doc, r)
    return {
      id: r.ref,
      service: r.service,
      reaction: r.reaction,
      ...(r.connection ? { connection: r.connection } : {}),
      ...keys,
      params: r.params,
    }
  }
  const onFailure = reactions.filter((r) => r.phase === 'on_failure')

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
        ...(action.catchUpSpec === undefined ? {} : { catch_up: action.catchUpSpec }),
        ...(action.when === undefined ? {} : { when: action.when }),
        ...(doc.spec.action.event === undefined ? {} : { event: doc.spec.action.event }),
        params: action.params,
      },
      ...writtenFlow(doc.spec),
      reactions: reactions.filter((r) => r.phase === 'main').map(written),
      ...(doc.spec.on_failure === undefined ? {} : { on_failure: onFailure.map(written) }),
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
      when: action.when,
    },
    reactions,
    document,
    specHash: canonicalHash(document),
  }
}

/** The action checked and normalized (undefined when invalid), and its event's schema if known. */
function normalizeAction(
  doc: AreaDocument,
  registry: Registry,
  issues: Issue[],
  shape: Shape,
): { action: ReturnType<typeof checkAction>; event: Typed | undefined } {
  const action = checkAction(doc, registry, issues, shape)
  const spec = doc.spec.action
  const known = shape.clean('/spec/action/service') && shape.clean('/spec/action/action')
  if (!known || !registry.service(spec.service)?.actions.some((a) => a.id === spec.action))
    return { action, event: undefined }
  const eventIssues = shape.clean('/spec/action/event') ? eventDeclarationIssues(spec) : []
  issues.push(...eventIssues)
  // A declaration at fault types nothing: its problems are the news, not what they would cause.
  const faulty = eventIssues.length > 0 || !shape.clean('/spec/action/event')
  const event = faulty ? undefined : typed(declaredEventShape(registry, spec).schema)
  return { action, event }
}

function checkAction(doc: AreaDocument, registry: Registry, issues: Issue[], shape: Shape) {
  const spec = doc.spec.action
  // Checked first: it needs no registry, so a wrong service does not hide its problems.
  if (shape.clean('/spec/action/when'))
    issues.push(...expressionIssues(spec.when, 'when', ACTION_WHEN_VARIABLES, '/spec/action/when'))
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
  if (shape.clean('/spec/action/params')) {
    // The params the action renders per event (a webhook's answer) may hold templates of the event.
    const templated = new Set((action.eventTemplateParams ?? []).map((p) => `/spec/action/params${p}`))
    issues.push(...findTemplates((spec.params ?? {}) as JsonValue, '/spec/action/params', templated))
  }
  // The trigger is checked even when the params are wrong, so one run reports both.
  const known = params?.ok ? params.value : undefined
  const trigger = shape.clean('/spec/action/trigger')
    ? resolveTrigger(service, action, spec.trigger, known, issues)
    : undefined
  const catchUp =
    trigger && shape.clean('/spec/action/catch_up')
      ? resolveCatchUp(
          spec.catch_up,
          action,
          `${service.id}.${action.id}`,
          trigger.normalized.type === 'polling',
          issues,
        )
      : undefined
  if (!trigger || !params?.ok || !catchUp) return undefined
  return {
    when: spec.when,
    service: service.id,
    action: action.id,
    connection: spec.connection,
    params: params.value,
    trigger: trigger.normalized.type === 'polling' ? { ...trigger.normalized, catchUp } : trigger.normalized,
    triggerSpec: trigger.spec,
    catchUpSpec: spec.catch_up,
  }
}

type TriggerInput = AreaDocument['spec']['action']['trigger']
type TriggerWithoutCatchUp = { type: 'webhook' } | { type: 'polling'; schedule: Schedule }

function resolveTrigger(
  service: ServiceDefinition,
  action: ActionDefinition,
  input: TriggerInput,
  /** Undefined when the params are invalid (already reported): a schedule from them is unknown. */
  params: JsonObject | undefined,
  issues: Issue[],
): { normalized: TriggerWithoutCatchUp; spec: NonNullable<TriggerInput> } | undefined {
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

/**
 * Action params configure the trigger itself, before any event exists: no templates there, but
 * in the params the action renders per event (`templated`), checked as templates of `trigger`.
 */
function findTemplates(value: JsonValue, path: string, templated: ReadonlySet<string>): Issue[] {
  if (templated.has(path)) return checkTemplates(value, path, [])
  if (typeof value === 'string') {
    return isTemplate(value) ? [{ path, message: 'templates are not allowed in action params' }] : []
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findTemplates(item, `${path}/${i}`, templated))
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => findTemplates(item, `${path}/${key}`, templated))
  }
  return []
}

/** The reaction as written in the file, found by the path it was normalized from. */
function specAt(doc: AreaDocument, reaction: NormalizedReaction): ReactionSpec {
  const index = Number(reaction.path.slice(reaction.path.lastIndexOf('/') + 1))
  const list = reaction.phase === 'main' ? doc.spec.reactions : (doc.spec.on_failure ?? [])
  return list[index] as ReactionSpec
}
