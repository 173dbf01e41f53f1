/**
 * The AREA language's one expression language: CEL (the Common Expression Language, as in
 * Kubernetes admission policies), through @marcbachmann/cel-js. Used by `when:` (a bool) and
 * `for_each:` (a list). Why CEL (docs/architecture.md, "The AREA language"): it is not
 * Turing-complete (no loops, no recursion, macros only walk the lists they are given), so an
 * evaluation's cost is bounded by the expression's size, which is capped here, times the event's,
 * which ingest caps; it has no I/O; it has a type checker, which `validate` uses offline.
 *
 * JSON numbers that are whole become CEL ints (so `trigger.count + 1` and `index == 0` work as
 * people expect); other numbers are doubles. Results go back to JSON the other way round.
 */
import { Environment, ParseError } from '@marcbachmann/cel-js'
import { didYouMean } from './did-you-mean.js'
import type { JsonValue } from './types.js'

/** The variables an expression may read; each is `dyn` (free-form JSON) unless said otherwise. */
export const EXPRESSION_VARIABLES = {
  /** The event, as the action shaped it. */
  trigger: 'dyn',
  /** Outputs of the reactions that ran before, by id. */
  reactions: 'dyn',
  /** `{ name }` of the AREA. */
  area: 'dyn',
  /** In `for_each` params: the current item and its position. */
  item: 'dyn',
  index: 'int',
  /** In `on_failure` reactions: `{ reaction, message, attempt, class }`. */
  error: 'dyn',
} as const

export type ExpressionVariable = keyof typeof EXPRESSION_VARIABLES
/** `key`: the partition key of flow control (`concurrency.key`, `debounce.key`), a scalar. */
export type ExpressionKind = 'when' | 'for_each' | 'key'

/** Parse-time limits: they bound what one evaluation can cost. */
export const EXPRESSION_LIMITS = {
  maxLength: 2_000,
  maxAstNodes: 400,
  maxDepth: 32,
  maxListElements: 100,
  maxMapEntries: 100,
  maxCallArguments: 8,
} as const

/** A problem in an expression; `offset` is the character offset within the source, if known. */
export class ExpressionError extends Error {
  readonly offset: number | undefined
  constructor(message: string, offset?: number) {
    super(message)
    this.name = 'ExpressionError'
    this.offset = offset
  }
}

export interface CompiledExpression {
  readonly source: string
  readonly kind: ExpressionKind
  /** `reactions.<id>` (or `reactions["id"]`) it reads, with offsets: validate checks the needs. */
  readonly reactionRefs: readonly { id: string; offset: number }[]
  /** The parsed tree (cel-js's nodes: `{ op, args, pos }`): validate walks it for type checks. */
  readonly ast: unknown
  /** Evaluates against a scope of plain JSON; throws ExpressionError on a runtime problem. */
  evaluate(scope: Partial<Record<ExpressionVariable, JsonValue | undefined>>): JsonValue
}

const ALL_VARIABLES = Object.keys(EXPRESSION_VARIABLES) as ExpressionVariable[]

/**
 * One environment per set of readable variables (a handful of sets in all): a variable that is
 * not registered is an "unknown variable" at check time, so `validate` refuses a `when` that
 * reads `item`, or an expression outside `on_failure` that reads `error`.
 */
const environments = new Map<string, Environment>()

function environmentFor(variables: readonly ExpressionVariable[]): Environment {
  const key = [...variables].sort().join(',')
  let environment = environments.get(key)
  if (!environment) {
    environment = new Environment({
      enableOptionalTypes: true,
      homogeneousAggregateLiterals: false,
      limits: {
        maxAstNodes: EXPRESSION_LIMITS.maxAstNodes,
        maxDepth: EXPRESSION_LIMITS.maxDepth,
        maxListElements: EXPRESSION_LIMITS.maxListElements,
        maxMapEntries: EXPRESSION_LIMITS.maxMapEntries,
        maxCallArguments: EXPRESSION_LIMITS.maxCallArguments,
      },
    })
    for (const name of variables) environment.registerVariable(name, EXPRESSION_VARIABLES[name])
    environments.set(key, environment)
  }
  return environment
}

/** Why a known variable is not readable here, and what to do instead. */
const UNAVAILABLE: Record<ExpressionVariable, string> = {
  trigger: 'the event is not available here',
  reactions: "reaction outputs are not available here: the action's when runs before any reaction",
  area: 'area is not available here',
  item: "item and index exist only in the params of a for_each reaction; to filter items, filter the list: for_each: 'trigger.items.filter(i, i.open)'",
  index:
    "item and index exist only in the params of a for_each reaction; to filter items, filter the list: for_each: 'trigger.items.filter(i, i.open)'",
  error: 'error exists only in on_failure reactions',
}

/** The library's messages end with a caret drawing of the source; people get the first line. */
function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message
}

function offsetOf(error: unknown): number | undefined {
  const pos = (error as { node?: { pos?: unknown } }).node?.pos
  return typeof pos === 'number' ? pos : undefined
}

const EXPECTED: Record<ExpressionKind, string> = { when: 'bool', for_each: 'list', key: 'string' }
/** What a key may give: a scalar, turned into text (docs/architecture.md, "Flow control"). */
const KEY_TYPES = new Set(['dyn', 'string', 'int', 'uint', 'double', 'bool'])

/**
 * Parses and type-checks an expression. Throws ExpressionError naming what is wrong and where
 * (`offset` into the source) when it does not parse, reads an unknown variable, or cannot give
 * the kind's type (`when` a bool, `for_each` a list; `dyn` is accepted and checked at run time).
 */
export function compileExpression(
  source: string,
  kind: ExpressionKind,
  /** What it may read (default: every variable); normalize.ts narrows it per place. */
  variables: readonly ExpressionVariable[] = ALL_VARIABLES,
): CompiledExpression {
  const environment = environmentFor(variables)
  if (typeof source !== 'string' || source.trim() === '') {
    throw new ExpressionError(`the ${kind} expression is empty`)
  }
  if (source.length > EXPRESSION_LIMITS.maxLength) {
    throw new ExpressionError(
      `the ${kind} expression is ${source.length} characters long, more than the limit of ${EXPRESSION_LIMITS.maxLength}`,
    )
  }
  let program: ReturnType<typeof environment.parse>
  try {
    program = environment.parse(source)
  } catch (error) {
    throw new ExpressionError(
      error instanceof ParseError ? `does not parse: ${firstLine(error.message)}` : firstLine(String(error)),
      offsetOf(error),
    )
  }
  const checked = program.check()
  if (!checked.valid) {
    const message = firstLine(checked.error?.message ?? 'does not type-check')
    const unknown = /^Unknown variable: (\w+)/.exec(message)?.[1]
    throw new ExpressionError(
      unknown ? unknownVariable(unknown, variables) : message,
      offsetOf(checked.error),
    )
  }
  const type = String(checked.type ?? 'dyn')
  const expected = EXPECTED[kind]
  const fits =
    kind === 'key'
      ? KEY_TYPES.has(type)
      : type === 'dyn' || type === expected || (expected === 'list' && type.startsWith('list'))
  if (!fits) {
    const article = /^[aeiou]/.test(type) ? 'an' : 'a'
    throw new ExpressionError(
      kind === 'key'
        ? `a key expression must give a string, a number or a bool; this one gives ${article} ${type}`
        : `a ${kind} expression must give a ${expected}; this one gives ${article} ${type}`,
    )
  }
  return {
    source,
    kind,
    reactionRefs: reactionRefsOf(program.ast),
    ast: program.ast,
    evaluate(scope) {
      const context: Record<string, unknown> = {}
      for (const [name, value] of Object.entries(scope)) {
        if (value !== undefined) context[name] = toCel(value)
      }
      let result: unknown
      try {
        result = program(context)
      } catch (error) {
        throw new ExpressionError(
          firstLine(error instanceof Error ? error.message : String(error)),
          offsetOf(error),
        )
      }
      const json = fromCel(result)
      if (kind === 'when' && typeof json !== 'boolean') {
        throw new ExpressionError(`the when expression gave ${describe(json)}, not true or false`)
      }
      if (kind === 'key' && (json === null || typeof json === 'object')) {
        throw new ExpressionError(`the key expression gave ${describe(json)}, not a string, number or bool`)
      }
      if (kind === 'for_each' && !Array.isArray(json)) {
        throw new ExpressionError(`the for_each expression gave ${describe(json)}, not a list`)
      }
      return json
    },
  }
}

type AstNode = ReturnType<Environment['parse']>['ast']

/** Every `reactions.x`, `reactions.?x`, `reactions["x"]` in the tree (expressions are capped small). */
function reactionRefsOf(root: AstNode): { id: string; offset: number }[] {
  const refs: { id: string; offset: number }[] = []
  const isReactions = (node: unknown) =>
    (node as AstNode | undefined)?.op === 'id' && (node as AstNode).args === 'reactions'
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item)
      return
    }
    if (value === null || typeof value !== 'object' || !('op' in value)) return
    const node = value as AstNode
    const args = node.args as unknown
    if ((node.op === '.' || node.op === '.?') && Array.isArray(args) && isReactions(args[0])) {
      refs.push({ id: String(args[1]), offset: node.start })
    } else if ((node.op === '[]' || node.op === '[?]') && Array.isArray(args) && isReactions(args[0])) {
      const key = args[1] as AstNode
      if (key.op === 'value' && typeof key.args === 'string') refs.push({ id: key.args, offset: node.start })
    }
    walk(args)
  }
  walk(root)
  return refs
}

function unknownVariable(name: string, variables: readonly ExpressionVariable[]): string {
  const readable = `it can read: ${variables.join(', ')}`
  if (Object.hasOwn(UNAVAILABLE, name)) {
    return `reads "${name}", which it cannot read here: ${UNAVAILABLE[name as ExpressionVariable]} (${readable})`
  }
  return `reads unknown variable "${name}"${didYouMean(name, [...variables])} (${readable})`
}

function describe(value: JsonValue): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a map'
  return `${typeof value} ${JSON.stringify(value).slice(0, 60)}`
}

/** JSON into CEL values: whole numbers become ints (BigInt). */
function toCel(value: JsonValue): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value
  if (Array.isArray(value)) return value.map(toCel)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) out[key] = toCel(inner)
    return out
  }
  return value
}

/** CEL values back to JSON: ints become numbers (beyond 2^53 they become strings, not wrong numbers). */
function fromCel(value: unknown): JsonValue {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString()
  }
  if (value === undefined) return null
  if (Array.isArray(value)) return value.map(fromCel)
  if (value instanceof Map) {
    const out: Record<string, JsonValue> = {}
    for (const [key, inner] of value) out[String(key)] = fromCel(inner)
    return out
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (value !== null && typeof value === 'object') {
    if (value instanceof Date) return value.toISOString()
    const out: Record<string, JsonValue> = {}
    for (const [key, inner] of Object.entries(value)) out[key] = fromCel(inner)
    return out
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null
  return value as JsonValue
}
