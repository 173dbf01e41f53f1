/**
 * Type checks of CEL expressions (`when`, `for_each`) against the schemas of what they read
 * (docs/architecture.md, "Typed events"). cel-js has a type checker, and expression.ts uses it
 * with every variable `dyn`; its object types are closed and it stops at the first error, while
 * events are often open (GitHub's) and validate reports every problem. So this walks the parsed
 * tree: each member chain rooted at a variable (`trigger.issue.title`, `reactions.x["y"]`) is
 * followed through the schemas (schema-paths.ts), and the macros that bind a variable to the
 * elements of a list (`exists`, `all`, `exists_one`, `filter`, `map`) give it the list's element
 * schema. It also infers a for_each list's element schema: what `item` holds in its params.
 */
import { compileExpression, type ExpressionKind } from '../engine/expression.js'
import { itemsOf, type JsonSchema, showStep, step } from './schema-paths.js'
import type { TypeIssues } from './template-types.js'
import { judged, type Typed, type TypeScope } from './type-scope.js'

interface Node {
  op: string
  args: unknown
  pos?: number
}

const MACROS = new Set(['exists', 'all', 'exists_one', 'filter', 'map'])

export interface ExpressionTypes extends TypeIssues {
  /** What the expression gives, when a path of known schema (a for_each list, say). */
  result: Typed | undefined
}

export function expressionTypeIssues(
  source: string | undefined,
  kind: ExpressionKind,
  path: string,
  scope: TypeScope,
): ExpressionTypes {
  const out: ExpressionTypes = { errors: [], warnings: [], result: undefined }
  if (typeof source !== 'string') return out
  let ast: unknown
  try {
    ast = compileExpression(source, kind).ast
  } catch {
    return out // expressionIssues reports it
  }
  const seen = new Set<string>()
  const report = (severity: 'error' | 'warning', message: string, offset: number | undefined) => {
    if (seen.has(message)) return
    seen.add(message)
    const issue = { path, message: `${kind}: ${message}`, ...(offset === undefined ? {} : { offset }) }
    ;(severity === 'error' ? out.errors : out.warnings).push(issue)
  }

  /** A value's schema and how it is written, as far as known. */
  type Value = { typed: Typed | undefined; shown: string } | undefined
  const bound = new Map<string, Value>()

  const visit = (value: unknown): Value => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item)
      return undefined
    }
    if (!isNode(value)) return undefined
    const { op, args } = value
    if (op === 'id' && typeof args === 'string') {
      if (bound.has(args)) return bound.get(args)
      if (!judged(scope, [args])) return undefined
      return { typed: scope.roots[args], shown: args }
    }
    if ((op === '.' || op === '.?') && Array.isArray(args)) {
      const base = visit(args[0])
      return member(base, args[0], String(args[1]), value.pos)
    }
    if ((op === '[]' || op === '[?]') && Array.isArray(args)) {
      const base = visit(args[0])
      const key = args[1] as Node
      visit(key)
      const literal = key?.op === 'value' ? key.args : undefined
      const segment = typeof literal === 'bigint' ? Number(literal) : literal
      if (typeof segment !== 'string' && typeof segment !== 'number') return undefined
      return member(base, args[0], segment, key.pos)
    }
    if (op === 'rcall' && Array.isArray(args)) {
      const [name, receiver, params] = args as [string, unknown, unknown[]]
      const list = visit(receiver)
      const variable =
        Array.isArray(params) && isNode(params[0]) && params[0].op === 'id' ? params[0].args : undefined
      if (!MACROS.has(name) || typeof variable !== 'string') {
        visit(params)
        return undefined
      }
      // The macro's variable holds one element of the list (a map's keys: free-form).
      const items = itemsOf(list?.typed?.schema, list?.typed?.root)
      const element: Value =
        items && list?.typed
          ? { typed: { schema: items, root: list.typed.root }, shown: variable }
          : undefined
      const outer = bound.has(variable) ? bound.get(variable) : null
      bound.set(variable, element)
      for (const param of params.slice(1)) visit(param)
      if (outer === null) bound.delete(variable)
      else bound.set(variable, outer)
      return name === 'filter' ? list : undefined
    }
    visit(args)
    return undefined
  }

  /** `base.key`: the walk continues only along a chain rooted at a variable of known schema. */
  const member = (
    base: Value,
    baseNode: unknown,
    key: string | number,
    offset: number | undefined,
  ): Value => {
    if (!base) return undefined
    const root = isNode(baseNode) && baseNode.op === 'id' ? baseNode.args : undefined
    if (root !== undefined && !bound.has(String(root)) && !judged(scope, [root, key])) return undefined
    if (!base.typed) return undefined
    const next = step(base.typed.schema, key, base.shown, 'cel', base.typed.root)
    if (next.problem) {
      report(next.problem.severity, next.problem.message, offset)
      return undefined
    }
    const shown = showStep(base.shown, key)
    return { typed: next.schema ? { schema: next.schema, root: base.typed.root } : undefined, shown }
  }

  out.result = visit(ast)?.typed
  return out
}

/** The element schema of a for_each list, when the expression's schema says it (else free-form). */
export function elementOf(list: Typed | undefined): Typed | undefined {
  const items: JsonSchema | undefined = itemsOf(list?.schema, list?.root)
  return items && list ? { schema: items, root: list.root } : undefined
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && 'op' in value
}
