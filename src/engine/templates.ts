/**
 * Runtime templates (`{{ trigger.… }}`, `{{ reactions.<id>.… }}`, `{{ secrets.NAME }}`), rendered by the worker with
 * LiquidJS: a sandboxed language with no arbitrary code, no prototype access and no file access,
 * with limits on parse size and memory, and one budget of render time and rendered bytes per
 * event shared by all its strings and reactions (docs/architecture.md, "One tenant against the
 * others").
 */
import { Context, Liquid, type Template, toValueSync } from 'liquidjs'
import { didYouMean } from './did-you-mean.js'
import { type Issue, PermanentError } from './errors.js'
import { secretReferenceIssue } from './secret-names.js'
import type { JsonObject, JsonValue } from './types.js'

/** The variables a template may name. */
export interface TemplateScope {
  trigger: JsonObject
  reactions: Record<string, JsonValue | undefined>
  area: { name: string }
  /** In a `for_each` reaction's params: the current item and its position (from 0). */
  item?: JsonValue
  index?: number
  /** In an `on_failure` reaction's params: `{ reaction, message, attempt, class }`. */
  error?: JsonObject
  /** The user's secrets the params read (user-secrets.ts), opened by the worker for this run only. */
  secrets?: Record<string, string>
}

export const templateRoots = ['trigger', 'reactions', 'area', 'secrets'] as const

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
  // One locale for every server, so `date` renders alike wherever a worker runs; given here, it
  // also spares LiquidJS the Intl.DateTimeFormat it would build at load to read the system's
  // (a third of `area validate`'s start-up; docs/architecture.md, "CLI start-up").
  locale: 'en-US',
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

/** The parsed template, as the renderer parses it (validate reads its variables and outputs). */
export function parseTemplate(text: string): Template[] {
  return parse(text)
}

/**
 * The expression of a string that is one `{{ expression }}` and nothing else: it renders to the
 * expression's own value (an object stays an object), not to text. Undefined for other strings.
 */
export function wholeExpressionOf(text: string): string | undefined {
  const whole = wholeExpression.exec(text)
  return whole?.[1] && !whole[1].includes('%') ? whole[1] : undefined
}

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

/** Where a template is written: what it may read beyond trigger, reactions and area. */
export interface TemplatePlace {
  /** In a `for_each` reaction: `item` and `index`. */
  forEach?: boolean
  /** In an `on_failure` reaction: `error`. */
  onFailure?: boolean
  /** Every reaction id of the AREA, to tell a missing need from a name that exists nowhere. */
  allReactions?: readonly string[]
}

/**
 * Checks every template string under `value`: syntax, known roots (`item`/`index` only in a
 * for_each reaction, `error` only in on_failure), and `reactions.<id>` naming a reaction that
 * finishes before this one (`availableReactions`: its ancestors through needs). Paths are
 * reported under `basePath`.
 */
export function checkTemplates(
  value: JsonValue | undefined,
  basePath: string,
  availableReactions: string[],
  place: TemplatePlace = {},
): Issue[] {
  const issues: Issue[] = []
  const roots = [
    ...templateRoots,
    ...(place.forEach ? ['item', 'index'] : []),
    ...(place.onFailure ? ['error'] : []),
  ]
  walkStrings(value, basePath, (text, path) => {
    if (!isTemplate(text)) return
    const analysis = analyzeTemplate(text)
    if ('error' in analysis) {
      issues.push({ path, message: `template does not parse: ${analysis.error}` })
      return
    }
    for (const segments of analysis.segments) {
      const [root, ref] = segments
      const secretIssue = root === 'secrets' ? secretReferenceIssue(ref) : undefined
      if (!roots.includes(String(root))) {
        issues.push({ path, message: unknownRoot(String(root)) })
      } else if (secretIssue) {
        issues.push({ path, message: secretIssue })
      } else if (root === 'reactions' && ref !== undefined && !availableReactions.includes(String(ref))) {
        issues.push({
          path,
          message: unreadableReaction('template', String(ref), availableReactions, place.allReactions),
        })
      }
    }
  })
  return issues
}

/**
 * Why `reactions.<name>` cannot be read where it is (a template or a CEL expression): the one
 * message, so both say the same thing, with what to do.
 */
export function unreadableReaction(
  what: string,
  name: string,
  available: readonly string[],
  allReactions: readonly string[] | undefined,
): string {
  const known = available.length ? available.join(', ') : 'none'
  return (allReactions?.includes(name) ?? true)
    ? `${what} reads reactions.${name}, but "${name}" does not finish before this reaction (it can read: ${known}); add ${name} to needs`
    : `${what} reads reactions.${name}, but there is no reaction "${name}"${didYouMean(name, allReactions ?? [])} (it can read: ${known})`
}

function unknownRoot(root: string): string {
  if (root === 'item' || root === 'index')
    return `template reads "${root}", which exists only in a reaction with for_each`
  if (root === 'error') return 'template reads "error", which exists only in on_failure reactions'
  return `template names unknown variable "${root}"; use trigger.…, reactions.<id>.…, area.name or secrets.NAME`
}

/**
 * Renders every template string under `value`. A string that is one `{{ expression }}` and
 * nothing else keeps the expression's type (an object stays an object, a number a number).
 */
export function renderTemplates(
  value: JsonValue | undefined,
  scope: TemplateScope,
  budget: TemplateBudget = unlimitedBudget(),
  path = '',
): JsonValue | undefined {
  if (typeof value === 'string') return isTemplate(value) ? renderString(value, scope, budget, path) : value
  if (Array.isArray(value))
    return value.map((item, i) => renderTemplates(item, scope, budget, `${path}/${i}`) ?? null)
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {}
    for (const [key, item] of Object.entries(value)) {
      const rendered = renderTemplates(item, scope, budget, `${path}/${escapePointer(key)}`)
      if (rendered !== undefined) out[key] = rendered
    }
    return out
  }
  return value
}

/**
 * What one event may spend on templates, across all its strings and reactions: render time and
 * rendered bytes. Renders take from it (`usedMs`, `usedBytes`); the settings are named in errors
 * so the reader knows what to change.
 */
export interface TemplateBudget {
  timeMs: number
  maxBytes: number
  usedMs: number
  usedBytes: number
  /** The settings that raise each limit (the daemon's names), for error messages. */
  settings?: { timeMs: string; maxBytes: string }
}

export function templateBudget(
  limits: Pick<TemplateBudget, 'timeMs' | 'maxBytes' | 'settings'>,
): TemplateBudget {
  return { ...limits, usedMs: 0, usedBytes: 0 }
}

// Without a budget (validation, tests of the engine alone) the old per-string limits apply.
const unlimitedBudget = () => templateBudget({ timeMs: 1_000, maxBytes: 10_000_000 })

/** A template spent its event's budget; the event's reaction fails with it, not the process. */
export class TemplateBudgetError extends PermanentError {
  readonly limit: 'time' | 'bytes'
  readonly param: string
  constructor(limit: 'time' | 'bytes', param: string, budget: TemplateBudget) {
    const where = param || 'a param'
    const setting = budget.settings?.[limit === 'time' ? 'timeMs' : 'maxBytes']
    const raise = setting ? ` (${setting})` : ''
    super(
      limit === 'time'
        ? `template in ${where} ran past the event's template time budget of ${budget.timeMs} ms${raise}; simplify its loops or raise the budget`
        : `template in ${where} rendered more than the event's template size budget of ${budget.maxBytes} bytes${raise}; render less or raise the budget`,
      { code: 'template_budget_exceeded' },
    )
    this.limit = limit
    this.param = param
  }
}

/** Liquid's own output buffer, charging every write to the event's byte budget as it grows. */
class ChargedEmitter {
  buffer = ''
  constructor(private readonly charge: (bytes: number) => void) {}
  write(html: unknown): void {
    const text = html === null || html === undefined ? '' : String(toValueSync(html) ?? '')
    this.charge(Buffer.byteLength(text))
    this.buffer += text
  }
}

function renderString(text: string, scope: TemplateScope, budget: TemplateBudget, path: string): JsonValue {
  const started = performance.now()
  const leftMs = budget.timeMs - budget.usedMs
  if (leftMs <= 0) throw new TemplateBudgetError('time', path, budget)
  const charge = (bytes: number) => {
    budget.usedBytes += bytes
    if (budget.usedBytes > budget.maxBytes) throw new TemplateBudgetError('bytes', path, budget)
  }
  const ctx = new Context(scope, liquid.options, { sync: true, renderLimit: leftMs }, { liquid })
  try {
    const whole = wholeExpressionOf(text)
    if (whole !== undefined) {
      const value = toJson(liquid.evalValueSync(whole, ctx))
      charge(typeof value === 'string' ? Buffer.byteLength(value) : JSON.stringify(value).length)
      return value
    }
    const emitter = new ChargedEmitter(charge)
    toValueSync(liquid.renderer.renderTemplates(parse(text), ctx, emitter))
    return emitter.buffer
  } catch (error) {
    throw budgetError(error, path, budget) ?? error
  } finally {
    budget.usedMs += performance.now() - started
  }
}

// Liquid wraps what a tag throws; find our own error or Liquid's limit inside.
function budgetError(error: unknown, path: string, budget: TemplateBudget): TemplateBudgetError | undefined {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (cause instanceof TemplateBudgetError) return cause
    const message = cause instanceof Error ? cause.message : ''
    if (message.includes('template render limit exceeded'))
      return new TemplateBudgetError('time', path, budget)
    cause = (cause as { originalError?: unknown; cause?: unknown }).originalError ?? (cause as Error).cause
  }
  return undefined
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
