/**
 * The AREA file as written holds values that are only final later: `${VAR}` references (resolved
 * by the CLI) and, in reaction params, `{{ … }}` templates (rendered by the worker). A JSON Schema
 * for editors must accept them wherever a constrained value is expected (a number, a URL, an
 * enum), or every `${PORT:-8080}` would be flagged; a secret param also accepts the `<secret:…>`
 * placeholder of an exported file. This mirrors `allowTemplates` in
 * src/engine/params.ts, which does the same for templates when params are checked at apply time.
 */
import { secretPlaceholderSchema } from '../engine/secret-params.js'

export type JsonSchema = Record<string, unknown>

/** `${NAME}` or `${NAME:-default}` somewhere in the text (env.ts resolves them). */
export const envReferenceSchema: JsonSchema = {
  type: 'string',
  pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${VAR} syntax
  description: 'An environment variable, resolved by the CLI: ${NAME} or ${NAME:-default}',
}

/** Same test as the engine's template detection (src/engine/templates.ts). */
export const templateSchema: JsonSchema = {
  type: 'string',
  pattern: '\\{\\{|\\{%',
  description: 'A template rendered for each event: {{ trigger.… }}, {{ reactions.<id>.… }}',
}

const scalarTypes = new Set(['string', 'number', 'integer', 'boolean', 'null'])

/**
 * A copy of `schema` where each constrained scalar also accepts an env reference, and (with
 * `templates`) each constrained value also accepts a template.
 */
export function allowPlaceholders(schema: JsonSchema, options: { templates: boolean }): JsonSchema {
  const out: JsonSchema = { ...schema }
  if (isSchema(out.properties))
    out.properties = mapValues(out.properties, (s) => allowPlaceholders(s, options))
  if (isSchema(out.patternProperties)) {
    out.patternProperties = mapValues(out.patternProperties, (s) => allowPlaceholders(s, options))
  }
  if (isSchema(out.additionalProperties))
    out.additionalProperties = allowPlaceholders(out.additionalProperties, options)
  if (isSchema(out.items)) out.items = allowPlaceholders(out.items, options)
  // Branches that are objects or lists may hold placeholders inside (a trigger's
  // { polling: { interval } }); scalar branches are covered by wrapping the union whole below.
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = out[keyword]
    if (Array.isArray(branches)) {
      out[keyword] = branches.map((b: JsonSchema) =>
        b.type === 'object' || b.type === 'array' ? allowPlaceholders(b, options) : b,
      )
    }
  }

  const union = Array.isArray(out.anyOf) || Array.isArray(out.oneOf)
  const constrained = union || out.enum !== undefined || out.const !== undefined
  // Open values and plain strings accept anything textual already; objects stay objects (their
  // fields may hold placeholders).
  if (out.type === 'object') return out
  if (!constrained && (out.type === undefined || isUnconstrainedString(out))) return out
  const alternatives: JsonSchema[] = []
  // An env reference is one text value: it can stand for a scalar, never for a list or a map.
  if (union || out.type === undefined || scalarTypes.has(String(out.type)))
    alternatives.push(envReferenceSchema)
  if (options.templates) alternatives.push(templateSchema)
  // A secret (writeOnly) may be the placeholder `area export` prints for it (secret-params.ts).
  if (out.writeOnly === true) alternatives.push(secretPlaceholderSchema)
  if (alternatives.length === 0) return out
  return {
    anyOf: [out, ...alternatives],
    ...pick(out, ['title', 'description', 'default', 'examples', 'writeOnly']),
  }
}

function isUnconstrainedString(schema: JsonSchema): boolean {
  return (
    schema.type === 'string' &&
    ['pattern', 'format', 'enum', 'const', 'minLength', 'maxLength'].every((k) => schema[k] === undefined)
  )
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function mapValues(record: JsonSchema, fn: (schema: JsonSchema) => JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, isSchema(v) ? fn(v) : v]))
}

function pick(source: JsonSchema, keys: string[]): JsonSchema {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]))
}
