/**
 * Ajv's errors in plain language: what is expected, in the words of the AREA file, never the
 * schema's internals (no regex, no "must match a schema in anyOf"). The Ajv instances that feed
 * this run with `verbose: true`, so each error carries the offending value and its schema node.
 */
import type { ErrorObject } from 'ajv'
import { closest } from './did-you-mean.js'
import { DURATION_PATTERN, POSITIVE_DURATION_PATTERN } from './duration.js'

const DURATION_EXAMPLES = 'such as 30s, 5m or 1h30m (whole numbers with units d, h, m, s, largest first)'

/** What a pattern asks for, for the patterns people meet; others fall back on the schema's text. */
const patternHints = new Map<string, string>([
  [POSITIVE_DURATION_PATTERN, `must be a duration ${DURATION_EXAMPLES}`],
  [DURATION_PATTERN, `must be a duration ${DURATION_EXAMPLES}`],
])

/** Registers the plain-language form of a pattern (`must be …`). */
export function describePattern(pattern: string, hint: string): void {
  patternHints.set(pattern, hint)
}

type SchemaNode = Record<string, unknown>

/**
 * The message for one Ajv error, without the field's path. The value written is quoted back
 * (`, not "5"`) unless `showValue` is false or the field is a secret (`writeOnly`).
 */
export function plainMessage(error: ErrorObject, options: { showValue?: boolean } = {}): string {
  const params = error.params as Record<string, unknown>
  const node = (error.parentSchema ?? {}) as SchemaNode
  const value = options.showValue === false || node.writeOnly === true ? undefined : error.data
  switch (error.keyword) {
    case 'required':
      return 'is required'
    case 'additionalProperties':
      return unknownField(String(params.additionalProperty), Object.keys(propertiesOf(node)))
    case 'type': {
      // `interval: 5` is a duration missing its unit more than it is "not text".
      const hint = typeof node.pattern === 'string' ? patternHints.get(node.pattern) : undefined
      return `${hint ?? `must be ${typeName(String(params.type))}`}${got(value)}`
    }
    case 'const':
      return oneOf([params.allowedValue], value)
    case 'enum':
      return oneOf(params.allowedValues as unknown[], value)
    case 'pattern': {
      const hint = patternHints.get(String(params.pattern))
      if (hint) return `${hint}${got(value)}`
      return `is not in the expected form${described(node)}${got(value)}`
    }
    case 'format':
      return `${formatHint(String(params.format))}${got(value)}`
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long`
    case 'maxLength':
      return `must be at most ${params.limit} characters long${typeof value === 'string' ? ` (it has ${value.length})` : ''}`
    case 'minItems':
      return params.limit === 1 ? 'must list at least one item' : `must list at least ${params.limit} items`
    case 'maxItems':
      return `must list at most ${params.limit} items${Array.isArray(value) ? ` (it has ${value.length})` : ''}`
    case 'minimum':
    case 'exclusiveMinimum':
      return `must be ${error.keyword === 'minimum' ? 'at least' : 'more than'} ${params.limit}${got(value)}`
    case 'maximum':
    case 'exclusiveMaximum':
      return `must be ${error.keyword === 'maximum' ? 'at most' : 'less than'} ${params.limit}${got(value)}`
    default:
      return error.message ?? 'is invalid'
  }
}

/** `is not a known field; did you mean "x"? (known: a, b)`. */
export function unknownField(key: string, known: readonly string[]): string {
  const match = closest(key, known)
  const hint = match === undefined ? '' : `; did you mean "${match}"?`
  return `is not a known field${hint}${known.length ? ` (known: ${known.join(', ')})` : ''}`
}

/** `must be one of: a, b` (or `must be a`), with a did-you-mean for a near miss. */
export function oneOf(allowed: readonly unknown[], value: unknown): string {
  const names = allowed.map(String)
  const list = names.length === 1 ? `must be ${names[0]}` : `must be one of: ${names.join(', ')}`
  const match = typeof value === 'string' ? closest(value, names) : undefined
  return `${list}${got(value)}${match === undefined ? '' : `; did you mean "${match}"?`}`
}

/** `, not the text "5"`: what was written, so the reader sees why it was refused. */
export function got(value: unknown): string {
  if (value === undefined) return ''
  if (value === null) return ', not an empty value'
  if (typeof value === 'string') return `, not ${value.length > 60 ? 'that text' : `"${value}"`}`
  if (typeof value === 'number' || typeof value === 'boolean') return `, not ${value}`
  return Array.isArray(value) ? ', not a list' : ', not a mapping'
}

function typeName(type: string): string {
  const names: Record<string, string> = {
    string: 'text',
    boolean: 'true or false',
    integer: 'a whole number',
    number: 'a number',
    object: 'a mapping (key: value)',
    array: 'a list',
    null: 'empty',
  }
  return type
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ')
}

function formatHint(format: string): string {
  switch (format) {
    case 'uri':
    case 'url':
      return 'must be a full URL such as https://example.com/path'
    case 'email':
      return 'must be an email address such as ops@example.com'
    case 'date-time':
      return 'must be an ISO 8601 time such as 2025-01-31T09:00:00Z'
    default:
      return `must be a valid ${format}`
  }
}

function described(node: SchemaNode): string {
  const description = typeof node.description === 'string' ? node.description : undefined
  const example = Array.isArray(node.examples) ? node.examples[0] : undefined
  const parts = [description, example === undefined ? undefined : `e.g. ${String(example)}`].filter(Boolean)
  return parts.length ? ` (${parts.join('; ')})` : ''
}

function propertiesOf(node: SchemaNode): SchemaNode {
  return (node.properties ?? {}) as SchemaNode
}
