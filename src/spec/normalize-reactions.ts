/**
 * The reactions of an AREA file (`reactions` and `on_failure`) checked against the registry and
 * each other, and normalized: service and reaction known, connection named when needed, params
 * valid, templates reading only what the reaction can see, the graph of `needs` sound
 * (reaction-graph.ts), expressions compiling (expressions-check.ts) and the policy within its
 * bounds (reaction-policy.ts). Every problem is reported in one pass.
 */
import { type ReactionDefinition, reactionRequiresConnection } from '../engine/define.js'
import { didYouMean } from '../engine/did-you-mean.js'
import type { Issue } from '../engine/errors.js'
import { validateParams } from '../engine/params.js'
import type { Registry } from '../engine/registry.js'
import { checkTemplates } from '../engine/templates.js'
import type { JsonObject, JsonValue } from '../engine/types.js'
import type { AreaDocument } from './document.js'
import { elementOf, expressionTypeIssues } from './expression-types.js'
import { expressionIssues, reactionVariables } from './expressions-check.js'
import { checkReactionGraph, type GraphNode, type Phase } from './reaction-graph.js'
import { type StoredPolicy, storedPolicy } from './reaction-policy.js'
import type { JsonSchema } from './schema-paths.js'
import type { Shape } from './shape.js'
import { paramsTypeIssues, type TypeIssues } from './template-types.js'
import {
  AREA_SCHEMA,
  ERROR_SCHEMA,
  reactionsSchema,
  type Typed,
  type TypeScope,
  typed,
} from './type-scope.js'

export interface NormalizedReaction {
  ref: string
  service: string
  reaction: string
  connection: string | undefined
  params: JsonObject
  /** `main` (spec.reactions) or `on_failure` (spec.on_failure); the list comes main first. */
  phase: Phase
  /** Where it is written, e.g. `/spec/on_failure/0`: issues about it go under this path. */
  path: string
  /** What `area_reactions.policy` stores. */
  policy: StoredPolicy
}

/** What the type checks know: the event's schema, and where their warnings go. */
export interface TypeContext {
  event: Typed | undefined
  warnings: Issue[]
}

export function normalizeReactions(
  doc: AreaDocument,
  registry: Registry,
  issues: Issue[],
  shape: Shape,
  types: TypeContext = { event: undefined, warnings: [] },
): NormalizedReaction[] {
  const nodes: GraphNode[] = []
  const lists: [Phase, string, unknown][] = [
    ['main', '/spec/reactions', doc.spec.reactions],
    ['on_failure', '/spec/on_failure', doc.spec.on_failure],
  ]
  for (const [phase, listPath, list] of lists) {
    if (!Array.isArray(list) || !shape.intact(listPath)) continue
    list.forEach((spec, index) => {
      const path = `${listPath}/${index}`
      if (!shape.intact(path)) return
      nodes.push({
        phase,
        path,
        spec,
        idUsable: shape.clean(`${path}/id`),
        needsUsable: shape.clean(`${path}/needs`),
      })
    })
  }
  const graph = checkReactionGraph(nodes, issues)
  const allReactions = nodes.filter((n) => n.idUsable).map((n) => n.spec.id)
  const outputs = outputSchemas(nodes, registry)
  const out: NormalizedReaction[] = []
  for (const node of nodes) {
    const ancestors = graph.ancestors.get(node.path) ?? []
    const scope: TypeScope = {
      roots: {
        trigger: types.event,
        reactions: typed(reactionsSchema(outputs, ancestors)),
        area: typed(AREA_SCHEMA),
        ...(node.phase === 'on_failure' ? { error: typed(ERROR_SCHEMA) } : {}),
      },
      readable: ancestors,
    }
    const sink = (found: TypeIssues) => {
      issues.push(...found.errors)
      types.warnings.push(...found.warnings)
    }
    const reaction = normalizeReaction(node, ancestors, allReactions, registry, issues, shape, {
      scope,
      sink,
    })
    if (reaction) out.push(reaction)
  }
  return out
}

/** Each reaction's output schema by id (a for_each reaction's is the list of its items' outputs). */
function outputSchemas(nodes: readonly GraphNode[], registry: Registry): Map<string, JsonSchema | undefined> {
  const outputs = new Map<string, JsonSchema | undefined>()
  for (const { spec, idUsable } of nodes) {
    if (!idUsable || outputs.has(spec.id)) continue
    const definition = registry.service(spec.service)?.reactions.find((r) => r.id === spec.reaction)
    const output = definition?.output as JsonSchema | undefined
    outputs.set(spec.id, output && spec.for_each !== undefined ? { type: 'array', items: output } : output)
  }
  return outputs
}

function normalizeReaction(
  node: GraphNode,
  ancestors: string[],
  allReactions: string[],
  registry: Registry,
  issues: Issue[],
  shape: Shape,
  types: { scope: TypeScope; sink: (found: TypeIssues) => void },
): NormalizedReaction | undefined {
  const { spec, path: base, phase } = node
  const variables = reactionVariables(phase)
  const reads = { available: ancestors, all: allReactions }
  if (shape.clean(`${base}/when`)) {
    issues.push(...expressionIssues(spec.when, 'when', variables, `${base}/when`, reads))
    types.sink(expressionTypeIssues(spec.when, 'when', `${base}/when`, types.scope))
  }
  let item: Typed | undefined
  if (shape.clean(`${base}/for_each`)) {
    issues.push(...expressionIssues(spec.for_each, 'for_each', variables, `${base}/for_each`, reads))
    const list = expressionTypeIssues(spec.for_each, 'for_each', `${base}/for_each`, types.scope)
    types.sink(list)
    item = elementOf(list.result)
  }
  const policy = storedPolicy(spec, base, issues, shape.clean)

  if (!shape.clean(`${base}/service`)) return undefined
  const service = lookupService(registry, spec.service, `${base}/service`, issues)
  if (!service || !shape.clean(`${base}/reaction`)) return undefined
  const reaction = service.reactions.find((r) => r.id === spec.reaction)
  if (!reaction) {
    issues.push({
      path: `${base}/reaction`,
      message: `service "${service.id}" has no reaction "${spec.reaction}"${didYouMean(spec.reaction, ids(service.reactions))} (reactions: ${list(service.reactions)})`,
    })
    return undefined
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
  if (!shape.clean(`${base}/params`)) return undefined
  issues.push(...replacedByConnection(reaction, spec, base, service.id))
  const params = validateParams(reaction.params, (spec.params ?? {}) as JsonValue, `${base}/params`, 'apply')
  // Template references are checked even when a param is wrong, so one run reports both.
  issues.push(
    ...checkTemplates((spec.params ?? {}) as JsonValue, `${base}/params`, ancestors, {
      forEach: spec.for_each !== undefined,
      onFailure: phase === 'on_failure',
      allReactions,
    }),
  )
  const itemScope: TypeScope = {
    ...types.scope,
    roots: {
      ...types.scope.roots,
      ...(spec.for_each === undefined ? {} : { item, index: typed({ type: 'integer' }) }),
    },
  }
  types.sink(
    paramsTypeIssues(
      (spec.params ?? {}) as JsonValue,
      `${base}/params`,
      itemScope,
      reaction.params as unknown as JsonSchema,
    ),
  )
  if (!params.ok) {
    issues.push(...params.issues)
    return undefined
  }
  return {
    ref: spec.id,
    service: service.id,
    reaction: reaction.id,
    connection: spec.connection,
    params: params.value,
    phase,
    path: base,
    policy,
  }
}

/** A param a connection stands in for (`connectionReplaces`): exactly one of the two. */
function replacedByConnection(
  reaction: ReactionDefinition,
  spec: { connection?: string | undefined; params?: unknown },
  base: string,
  service: string,
): Issue[] {
  const name = reaction.connectionReplaces
  if (!name) return []
  const params = (spec.params ?? {}) as Record<string, unknown>
  const given = params[name] !== undefined
  if (given && spec.connection) {
    return [
      {
        path: `${base}/params/${name}`,
        message: `give ${name} or connection, not both: the connection "${spec.connection}" already holds it`,
      },
    ]
  }
  if (!given && !spec.connection) {
    return [
      {
        path: `${base}/params/${name}`,
        message: `${service}.${reaction.id} needs ${name}, or a connection holding it (\`area connections add ${service}\`)`,
      },
    ]
  }
  return []
}

export function lookupService(registry: Registry, id: string, path: string, issues: Issue[]) {
  const service = registry.service(id)
  if (!service)
    issues.push({
      path,
      message: `unknown service "${id}"${didYouMean(id, ids(registry.services))} (services: ${list(registry.services)})`,
    })
  return service
}

export function ids(items: readonly { id: string }[]): string[] {
  return items.map((i) => i.id)
}

export function list(items: readonly { id: string }[]): string {
  return items.map((i) => i.id).join(', ') || 'none'
}
