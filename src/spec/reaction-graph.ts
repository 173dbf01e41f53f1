/**
 * The reactions of an AREA file as a graph (docs/architecture.md, "The AREA language"): ids are
 * unique across `reactions` and `on_failure`, `needs` names reactions of the same list, and the
 * graph has no cycle. A reaction without `needs` needs the one above it (`resolvePolicy` in
 * src/engine/area.ts holds that rule for stored rows; this is its offline twin on the file).
 * Each reaction's ancestors are what its templates and expressions may read as `reactions.<id>`.
 */
import { didYouMean } from '../engine/did-you-mean.js'
import type { Issue } from '../engine/errors.js'
import type { ReactionSpec } from './document.js'

export type Phase = 'main' | 'on_failure'

/** One reaction as the graph sees it: where it is written, and whether its id/needs are usable. */
export interface GraphNode {
  phase: Phase
  /** JSON pointer of the reaction, e.g. `/spec/on_failure/0`. */
  path: string
  spec: ReactionSpec
  /** False when the schema already refused the id (it is then left out of the graph). */
  idUsable: boolean
  /** False when the schema already refused `needs`. */
  needsUsable: boolean
}

export interface ReactionGraph {
  /** By reaction path: the ids it may read as `reactions.<id>` (its ancestors through needs). */
  ancestors: Map<string, string[]>
}

const LIST_KEY: Record<Phase, string> = { main: 'reactions', on_failure: 'on_failure' }

/** Checks ids and needs of every node, pushing every problem to `issues` in one pass. */
export function checkReactionGraph(nodes: readonly GraphNode[], issues: Issue[]): ReactionGraph {
  const phaseOf = new Map<string, Phase>()
  // A second use of an id is reported and left out of the graph: edges are keyed by id.
  const inGraph = new Set<GraphNode>()
  for (const node of nodes) {
    if (!node.idUsable) continue
    if (phaseOf.has(node.spec.id)) {
      issues.push({
        path: `${node.path}/id`,
        message: `reaction id "${node.spec.id}" is used twice (ids are unique across reactions and on_failure)`,
      })
    } else {
      phaseOf.set(node.spec.id, node.phase)
      inGraph.add(node)
    }
  }

  // The needs each node resolves to, keeping only the valid ones (the others are reported).
  const edges = new Map<string, string[]>()
  for (const phase of ['main', 'on_failure'] as const) {
    const list = nodes.filter((n) => n.phase === phase)
    const sameList = list.filter((n) => inGraph.has(n)).map((n) => n.spec.id)
    list.forEach((node, index) => {
      if (!node.idUsable) return
      // A duplicate's needs are still checked, but only the first use of an id is in the graph.
      const setEdges = (ids: string[]) => inGraph.has(node) && edges.set(node.spec.id, ids)
      const needs = node.needsUsable ? node.spec.needs : []
      if (needs === undefined) {
        const above = list[index - 1]
        setEdges(above && inGraph.has(above) ? [above.spec.id] : [])
        return
      }
      const valid: string[] = []
      needs.forEach((need, i) => {
        const path = `${node.path}/needs/${i}`
        const other = phaseOf.get(need)
        if (need === node.spec.id) {
          issues.push({ path, message: `reaction "${need}" cannot need itself` })
        } else if (other === undefined) {
          issues.push({
            path,
            message: `needs unknown reaction "${need}"${didYouMean(need, sameList)} (${LIST_KEY[phase]}: ${sameList.join(', ') || 'none'})`,
          })
        } else if (other !== phase) {
          issues.push({
            path,
            message:
              phase === 'on_failure'
                ? `an on_failure reaction can only need other on_failure reactions, and "${need}" is in reactions (the failure already carries it: read {{ error.reaction }})`
                : `a reaction can only need other reactions, and "${need}" is in on_failure (on_failure runs only after the run failed)`,
          })
        } else if (!valid.includes(need)) valid.push(need)
      })
      setEdges(valid)
    })
  }

  for (const cycle of findCycles(edges)) {
    const first = nodes.find((n) => inGraph.has(n) && n.spec.id === cycle[0])
    if (!first) continue
    const index = first.spec.needs?.indexOf(cycle[1] ?? '') ?? -1
    issues.push({
      path: index >= 0 ? `${first.path}/needs/${index}` : `${first.path}/needs`,
      message: `needs form a cycle: ${[...cycle].join(' → ')}; remove one of these needs`,
    })
  }

  const ancestors = new Map<string, string[]>()
  for (const node of nodes) {
    if (!inGraph.has(node)) {
      ancestors.set(node.path, [])
      continue
    }
    const seen = new Set<string>()
    const stack = [...(edges.get(node.spec.id) ?? [])]
    while (stack.length > 0) {
      const id = stack.pop() as string
      if (seen.has(id) || id === node.spec.id) continue
      seen.add(id)
      stack.push(...(edges.get(id) ?? []))
    }
    ancestors.set(node.path, [...seen])
  }
  return { ancestors }
}

/**
 * Each cycle once, as the ids along it back to the first (`a → b → a`), found by a depth-first
 * walk in file order so the same file always names the same cycle.
 */
function findCycles(edges: Map<string, string[]>): string[][] {
  const cycles: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const trail: string[] = []
  const visit = (id: string) => {
    state.set(id, 'open')
    trail.push(id)
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 'open') cycles.push([...trail.slice(trail.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    trail.pop()
    state.set(id, 'done')
  }
  for (const id of edges.keys()) if (!state.has(id)) visit(id)
  return cycles
}
