/**
 * Type checks of the templates in a reaction's params (docs/architecture.md, "Typed events"): the
 * variables each template reads, found by LiquidJS's own static analysis, are followed through
 * the schemas of their roots (type-scope.ts). Syntax, unknown roots and reactions a template may
 * not read are checkTemplates' (src/engine/templates.ts); this adds:
 *
 * - a path into a field nothing declares, or into a string, number or list: an error (or a
 *   warning for an open object, see schema-paths.ts), at the variable's column;
 * - a param that is one `{{ x }}` with x an object or a list, where the param takes a string:
 *   an error (the param would get the object itself, and the reaction fail every time);
 * - an object or a list written into text (`"New: {{ trigger.issue }}"`): a warning, it comes
 *   out as JSON, which is seldom what was meant; `| json` says it is.
 *
 * After a filter the value's type is unknown, so `{{ trigger.issue | json }}` is fine. The variable
 * of `{% for l in <path> %}` is the list's element inside the loop; other variables a template
 * defines itself (`{% assign %}`, a loop over a range or a filtered list) are free-form.
 */
import { analyzeSync, Output, type Template, TypeGuards, type Variable } from 'liquidjs'
import type { Issue } from '../engine/errors.js'
import { escapePointer, isTemplate, parseTemplate, wholeExpressionOf } from '../engine/templates.js'
import type { JsonValue } from '../engine/types.js'
import { itemsOf, type JsonSchema, kindsOf } from './schema-paths.js'
import { followPath, judged, type Typed, type TypeScope } from './type-scope.js'

export interface TypeIssues {
  errors: Issue[]
  warnings: Issue[]
}

/** Checks every template string under `params`, reported under `basePath`. */
export function paramsTypeIssues(
  params: JsonValue | undefined,
  basePath: string,
  scope: TypeScope,
  /** The reaction's params schema: where a param takes a string. */
  paramsSchema: JsonSchema | undefined,
): TypeIssues {
  const out: TypeIssues = { errors: [], warnings: [] }
  const walk = (value: JsonValue | undefined, path: string, keys: string[]) => {
    if (typeof value === 'string') {
      if (!isTemplate(value)) return
      const found = templateTypeIssues(value, path, scope, schemaAt(paramsSchema, keys))
      out.errors.push(...found.errors)
      out.warnings.push(...found.warnings)
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${path}/${i}`, [...keys, String(i)])
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value))
        walk(item, `${path}/${escapePointer(key)}`, [...keys, key])
    }
  }
  walk(params, basePath, [])
  return out
}

/** The issues of one template string; `param` is the schema of the param it fills, if known. */
export function templateTypeIssues(
  text: string,
  path: string,
  scope: TypeScope,
  param?: JsonSchema,
): TypeIssues {
  const out: TypeIssues = { errors: [], warnings: [] }
  let templates: Template[]
  try {
    templates = parseTemplate(text)
  } catch {
    return out // checkTemplates reports it
  }
  const offsetOf = lineOffsets(text)
  const seen = new Set<string>()
  const report = (severity: 'error' | 'warning', message: string, offset: number) => {
    const key = `${severity}\0${message}`
    if (seen.has(key)) return
    seen.add(key)
    const issue = { path, message: `template: ${message}`, offset }
    ;(severity === 'error' ? out.errors : out.warnings).push(issue)
  }

  const whole = wholeExpressionOf(text) !== undefined
  const visit = (list: Template[], inner: TypeScope) => {
    for (const variables of Object.values(globalsOf(list))) {
      for (const variable of variables) {
        if (!judged(inner, variable.segments)) continue
        const { problem } = followPath(inner, variable.segments, 'liquid')
        if (problem) report(problem.severity, problem.message, offsetOf(variable.location))
      }
    }
    for (const item of list) {
      if (item instanceof Output) checkOutput(item, inner)
      const loop = forLoop(item, inner, offsetOf)
      // A loop's body knows its variable as the list's element; other blocks keep the scope.
      if (loop) visit(loop.body, { ...inner, roots: { ...inner.roots, [loop.variable]: loop.element } })
      else for (const child of blocksOf(item)) visit(child, inner)
    }
  }
  const checkOutput = (item: Output, inner: TypeScope) => {
    const read = plainVariable(item, inner, offsetOf)
    if (!read) return
    const kinds = kindsOf(read.typed?.schema, read.typed?.root)
    if (!kinds || ![...kinds].every((k) => k === 'object' || k === 'array')) return
    const what = kinds.has('object') ? 'an object' : 'a list'
    const offset = item.token.contentRange[0]
    if (!whole) {
      report(
        'warning',
        `${read.shown} is ${what}: written into text it comes out as JSON; read one of its fields, or write {{ ${read.shown} | json }} if JSON is meant`,
        offset,
      )
      return
    }
    const takes = kindsOf(param)
    if (takes && [...takes].every((k) => k === 'string')) {
      report(
        'error',
        `${read.shown} is ${what}, and this param takes a string: the reaction would get ${what} and fail; read one of its fields, or write {{ ${read.shown} | json }}`,
        offset,
      )
    }
  }
  visit(templates, scope)
  return out
}

/**
 * `{% for x in list %}`: its variable, body, and the list's element schema. Only a list read as a
 * plain path (no filter, no range) gives its element; otherwise `x` is free-form.
 */
function forLoop(
  item: Template,
  scope: TypeScope,
  offsetOf: (location: { row: number; col: number }) => number,
): { variable: string; body: Template[]; element: Typed | undefined } | undefined {
  const tag = item as Template & {
    name?: string
    variable?: unknown
    collection?: { begin?: number }
    templates?: Template[]
  }
  if (tag.name !== 'for' || typeof tag.variable !== 'string' || !Array.isArray(tag.templates))
    return undefined
  const start = tag.collection?.begin
  const collection = TypeGuards.isPropertyAccessToken(tag.collection)
    ? Object.values(globalsOf([item]))
        .flat()
        .find((v) => offsetOf(v.location) === start)
    : undefined
  const list =
    collection && judged(scope, collection.segments)
      ? followPath(scope, collection.segments, 'liquid').typed
      : undefined
  const items = itemsOf(list?.schema, list?.root)
  return {
    variable: tag.variable,
    body: tag.templates,
    element: items && list ? { schema: items, root: list.root } : undefined,
  }
}

/** The blocks inside a tag (if/unless branches, else, capture, case…), to find loops and outputs. */
function blocksOf(item: Template): Template[][] {
  const tag = item as Template & {
    templates?: unknown
    elseTemplates?: unknown
    branches?: { templates?: unknown }[]
  }
  const lists = [
    tag.templates,
    tag.elseTemplates,
    ...(Array.isArray(tag.branches) ? tag.branches.map((b) => b?.templates) : []),
  ]
  return lists.filter((list): list is Template[] => Array.isArray(list))
}

/**
 * templates.ts sets an `outputEscape` function (objects print as JSON), which Liquid appends to
 * every output as a filter named by `Object.prototype.toString` of it: not a filter people wrote.
 */
const IMPLICIT_ESCAPE = Object.prototype.toString.call(() => undefined)

/** The variable an output prints as it is (no filter, no operator), with its type. */
function plainVariable(
  output: Output,
  scope: TypeScope,
  offsetOf: (location: { row: number; col: number }) => number,
) {
  const { filters, initial } = output.value
  if (filters.some((f) => f.name !== IMPLICIT_ESCAPE) || initial.postfix.length !== 1) return undefined
  if (!TypeGuards.isPropertyAccessToken(initial.postfix[0])) return undefined
  const globals = Object.values(globalsOf([output])).flat()
  const start = output.token.contentRange[0]
  const variable = globals.find((v) => offsetOf(v.location) === start)
  if (!variable || !judged(scope, variable.segments)) return undefined
  const { typed, problem } = followPath(scope, variable.segments, 'liquid')
  return problem ? undefined : { typed, shown: variable.toString() }
}

/** The variables a template reads from outside; none when Liquid cannot analyze it (never a 500). */
function globalsOf(templates: Template[]): Record<string, Variable[]> {
  try {
    return analyzeSync(templates, { partials: false }).globals
  } catch {
    return {}
  }
}

/** Liquid's 1-based row and column to an offset in the text. */
function lineOffsets(text: string): (location: { row: number; col: number }) => number {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1)
  return ({ row, col }) => (starts[row - 1] ?? 0) + col - 1
}

/**
 * The schema of the param at `keys` under the params schema (undefined: free-form or unknown).
 * Params schemas are the services' own, so their patternProperties may be run on the key.
 */
function schemaAt(schema: JsonSchema | undefined, keys: readonly string[]): JsonSchema | undefined {
  let current = schema
  for (const key of keys) {
    if (!current) return undefined
    current = childSchema(current, key)
  }
  return current
}

function childSchema(node: JsonSchema, key: string): JsonSchema | undefined {
  const union = (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined
  if (Array.isArray(union)) {
    const branches = union.map((b) => childSchema(b, key))
    if (branches.some((b) => b === undefined)) return undefined
    return { anyOf: branches }
  }
  const properties = node.properties as Record<string, JsonSchema> | undefined
  if (properties && Object.hasOwn(properties, key)) return properties[key]
  const patterns = node.patternProperties as Record<string, JsonSchema> | undefined
  for (const [pattern, value] of Object.entries(patterns ?? {})) if (matches(pattern, key)) return value
  if (typeof node.additionalProperties === 'object') return node.additionalProperties as JsonSchema
  if (/^\d+$/.test(key) && typeof node.items === 'object' && !Array.isArray(node.items))
    return node.items as JsonSchema
  return undefined
}

function matches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key)
  } catch {
    return false
  }
}
