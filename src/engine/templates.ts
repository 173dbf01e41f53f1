/**
 * Runtime templates (`{{ trigger.… }}`, `{{ reactions.<id>.… }}`), rendered by the worker with
 * LiquidJS: a sandboxed language with no arbitrary code, no prototype access and no file access,
 * with limits on parse size, render time and memory.
 */
import { Liquid, type Template } from 'liquidjs'
import type { Issue } from './errors.js'
import type { JsonObject, JsonValue } from './types.js'

/** The variables a template may name. */
export interface TemplateScope {
  trigger: JsonObject
  reactions: Record<string, JsonValue | undefined>
  area: { name: string }
}

export const templateRoots = ['trigger', 'reactions', 'area'] as const

const noFiles = () => {
  throw new Error('templates cannot include files')
}

const liquid = new Liquid({
  ownPropertyOnly: true,
  strictFilters: true,
  relativeReference: false,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
  // Objects interpolated into text come out as JSON rather than "[object Object]".
  outputEscape: (value: unknown) =>
    value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? ''),
  fs: {
    exists: async () => false,
    existsSync: () => false,
    readFile: async () => noFiles(),
    readFileSync: noFiles,
    resolve: noFiles,
    contains: async () => false,
    containsSync: () => false,
  },
})

const templateMarker = /\{\{|\{%/
const wholeExpression = /^\s*\{\{-?\s*([^{}]*?)\s*-?\}\}\s*$/

export function isTemplate(value: string): boolean {
  return templateMarker.test(value)
}

// Parsed templates are reused: the same AREA renders the same strings for every event.
const parsed = new Map<string, Template[]>()
const parsedLimit = 5_000

function parse(text: string): Template[] {
  let templates = parsed.get(text)
  if (!templates) {
    templates = liquid.parse(text)
    if (parsed.size >= parsedLimit) parsed.delete(parsed.keys().next().value as string)
    parsed.set(text, templates)
  }
  return templates
}

/** A template's syntax error, or the variables it reads as segment arrays. */
export function analyzeTemplate(text: string): { error: string } | { segments: (string | number)[][] } {
  try {
    const segments = liquid.globalVariableSegmentsSync(parse(text))
    return {
      segments: segments.map((s) => s.map((part) => (typeof part === 'object' ? String(part) : part))),
    }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * Checks every template string under `value`: syntax, known roots, and `reactions.<id>` naming a
 * reaction that runs earlier (`availableReactions`). Paths are reported under `basePath`.
 */
export function checkTemplates(
  value: JsonValue | undefined,
  basePath: string,
  availableReactions: string[],
): Issue[] {
  const issues: Issue[] = []
  walkStrings(value, basePath, (text, path) => {
    if (!isTemplate(text)) return
    const analysis = analyzeTemplate(text)
    if ('error' in analysis) {
      issues.push({ path, message: `template does not parse: ${analysis.error}` })
      return
    }
    for (const segments of analysis.segments) {
      const [root, ref] = segments
      if (!templateRoots.includes(root as (typeof templateRoots)[number])) {
        issues.push({
          path,
          message: `template names unknown variable "${String(root)}"; use trigger.…, reactions.<id>.… or area.name`,
        })
      } else if (root === 'reactions' && ref !== undefined && !availableReactions.includes(String(ref))) {
        const known = availableReactions.length ? availableReactions.join(', ') : 'none'
        issues.push({
          path,
          message: `template names reaction "${String(ref)}", which does not run before this one (earlier reactions: ${known})`,
        })
      }
    }
  })
  return issues
}

/**
 * Renders every template string under `value`. A string that is one `{{ expression }}` and
 * nothing else keeps the expression's type (an object stays an object, a number a number).
 */
export function renderTemplates(value: JsonValue | undefined, scope: TemplateScope): JsonValue | undefined {
  if (typeof value === 'string') return isTemplate(value) ? renderString(value, scope) : value
  if (Array.isArray(value)) return value.map((item) => renderTemplates(item, scope) ?? null)
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {}
    for (const [key, item] of Object.entries(value)) {
      const rendered = renderTemplates(item, scope)
      if (rendered !== undefined) out[key] = rendered
    }
    return out
  }
  return value
}

function renderString(text: string, scope: TemplateScope): JsonValue {
  const whole = wholeExpression.exec(text)
  if (whole?.[1] && !whole[1].includes('%')) {
    const value: unknown = liquid.evalValueSync(whole[1], scope)
    return toJson(value)
  }
  return String(liquid.renderSync(parse(text), scope))
}

function toJson(value: unknown): JsonValue {
  if (value === undefined) return null
  // Round-trip drops anything that is not plain JSON (Liquid drops, functions).
  return JSON.parse(JSON.stringify(value)) as JsonValue
}

function walkStrings(
  value: JsonValue | undefined,
  path: string,
  visit: (text: string, path: string) => void,
): void {
  if (typeof value === 'string') {
    visit(value, path)
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walkStrings(item, `${path}/${i}`, visit)
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walkStrings(item, `${path}/${escapePointer(key)}`, visit)
  }
}

export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}
