/**
 * What a path such as `trigger.issue.title` reads, according to the JSON Schema of its root: the
 * schema of the value it reaches, or free-form (undefined) once it enters a part nothing declares,
 * and the problem when a step cannot read anything (docs/architecture.md, "Typed events"):
 *
 * - a field a closed object (additionalProperties: false) does not declare: an error;
 * - a field an open object does not declare: allowed, with a warning when it is one typo away
 *   from a declared field (GitHub adds fields over time, but `isue` is not one of them);
 * - a field of a string, number, boolean or list: an error, the read gives nothing (Liquid's
 *   `size`, `first` and `last` excepted, which read a list's or a string's length and ends).
 *
 * Both templates (Liquid) and expressions (CEL) walk paths here; each says its dialect. The walk
 * never throws on a schema it does not understand: whatever it cannot read is free-form.
 */
import { closest } from '../engine/did-you-mean.js'
import type { JsonSchema } from './schema-placeholders.js'

export type { JsonSchema }

export type Dialect = 'liquid' | 'cel'
export type Severity = 'error' | 'warning'

export interface StepProblem {
  severity: Severity
  message: string
}

/** One step's outcome: the schema reached (undefined: free-form), and what is wrong, if anything. */
export interface Step {
  schema: JsonSchema | undefined
  problem?: StepProblem
}

/** A schema's alternatives, by what they are; `any` makes the whole value free-form. */
interface Kinds {
  any: boolean
  objects: JsonSchema[]
  arrays: JsonSchema[]
  scalars: Set<string>
}

const MAX_LISTED_FIELDS = 15

/** The value is known to be one of these JSON kinds, or free-form (undefined). */
export function kindsOf(schema: JsonSchema | undefined, root?: JsonSchema): Set<string> | undefined {
  if (!schema) return undefined
  const kinds = split(schema, root ?? schema)
  if (kinds.any) return undefined
  const out = new Set(kinds.scalars)
  if (kinds.objects.length) out.add('object')
  if (kinds.arrays.length) out.add('array')
  out.delete('null')
  return out.size ? out : undefined
}

/** The element schema of a list (undefined when the value is not known to be a list). */
export function itemsOf(schema: JsonSchema | undefined, root?: JsonSchema): JsonSchema | undefined {
  if (!schema) return undefined
  const kinds = split(schema, root ?? schema)
  if (kinds.any || kinds.arrays.length !== 1 || kinds.objects.length || kinds.scalars.size > 1)
    return undefined
  return itemSchema(kinds.arrays[0] as JsonSchema)
}

/**
 * Reads `key` of a value of `schema`; `shown` is the path read so far as written (`trigger.issue`),
 * for messages. `root` resolves local `$ref`s (`#/definitions/…`) of user-declared schemas.
 */
export function step(
  schema: JsonSchema | undefined,
  key: string | number,
  shown: string,
  dialect: Dialect,
  root?: JsonSchema,
): Step {
  if (!schema) return { schema: undefined }
  const kinds = split(schema, root ?? schema)
  if (kinds.any) return { schema: undefined }
  const reached: JsonSchema[] = []
  let free = false
  let missing: { declared: string[] } | undefined
  let openNear: string | undefined

  for (const object of kinds.objects) {
    const properties = (isObject(object.properties) ? object.properties : {}) as Record<string, unknown>
    const name = String(key)
    if (Object.hasOwn(properties, name)) {
      const property = properties[name]
      if (isObject(property)) reached.push(property)
      else free = true
      continue
    }
    if (dialect === 'liquid' && name === 'size') {
      reached.push({ type: 'integer' })
      continue
    }
    const extra = object.additionalProperties
    const everyKey = recordValues(object.patternProperties)
    if (everyKey) {
      reached.push(everyKey)
      continue
    }
    if (isObject(extra) && Object.keys(extra).length > 0) {
      reached.push(extra)
      continue
    }
    if (extra === false && !isObject(object.patternProperties)) {
      missing = { declared: [...(missing?.declared ?? []), ...Object.keys(properties)] }
      continue
    }
    free = true
    openNear ??= closest(name, Object.keys(properties))
  }
  for (const array of kinds.arrays) {
    if (typeof key === 'number' || (dialect === 'liquid' && (key === 'first' || key === 'last'))) {
      const items = itemSchema(array)
      if (items) reached.push(items)
      else free = true
    } else if (dialect === 'liquid' && key === 'size') reached.push({ type: 'integer' })
  }
  if (kinds.scalars.has('string')) {
    if (dialect === 'liquid' && key === 'size') reached.push({ type: 'integer' })
    else if (dialect === 'liquid' && typeof key === 'number') reached.push({ type: 'string' })
  }

  if (free) {
    const warning =
      openNear === undefined
        ? undefined
        : {
            severity: 'warning' as const,
            message: `${shown} declares no field "${key}"; did you mean "${openNear}"? (it may carry fields it does not declare, so this is allowed)`,
          }
    return { schema: undefined, ...(warning ? { problem: warning } : {}) }
  }
  if (reached.length > 0) return { schema: reached.length === 1 ? reached[0] : { anyOf: reached } }
  if (missing) {
    const declared = [...new Set(missing.declared)]
    const hint = closest(String(key), declared)
    const listed =
      declared.length > MAX_LISTED_FIELDS
        ? `${declared.slice(0, MAX_LISTED_FIELDS).join(', ')}, …`
        : declared.join(', ') || 'none'
    return {
      schema: undefined,
      problem: {
        severity: 'error',
        message: `${shown} has no field "${key}"${hint ? `; did you mean "${hint}"?` : ''} (its fields: ${listed})`,
      },
    }
  }
  const what = describeKinds(kinds)
  // Only null (or nothing) declared: reading into it gives nothing, but that is no type mistake.
  if (what === undefined) return { schema: undefined }
  return {
    schema: undefined,
    problem: { severity: 'error', message: `${shown} is ${what}: ${readsNothing(key, kinds, dialect)}` },
  }
}

/** `trigger.issue` + key, as people write it. */
export function showStep(shown: string, key: string | number): string {
  if (typeof key === 'number') return `${shown}[${key}]`
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${shown}.${key}` : `${shown}[${JSON.stringify(key)}]`
}

function readsNothing(key: string | number, kinds: Kinds, dialect: Dialect): string {
  const read = typeof key === 'number' ? `[${key}]` : `.${key}`
  if (kinds.arrays.length > 0) {
    return dialect === 'liquid'
      ? `${read} reads nothing from a list; read one element (first, [0]) or loop over it with {% for %}`
      : `${read} reads nothing from a list; read one element ([0]) or every one (.map(x, x${read}))`
  }
  return `${read} reads nothing from it (the value would be empty)`
}

function describeKinds(kinds: Kinds): string | undefined {
  if (kinds.arrays.length > 0) return 'a list'
  const scalars = [...kinds.scalars].filter((s) => s !== 'null')
  if (scalars.length === 0) return undefined
  const names = scalars.map((s) =>
    s === 'integer' ? 'an integer' : s === 'boolean' ? 'a boolean' : `a ${s}`,
  )
  return names.join(' or ')
}

/** TypeBox's Record(String, T) is `patternProperties: { '^(.*)$': T }`: every key reads a T. */
function recordValues(patterns: unknown): JsonSchema | undefined {
  if (!isObject(patterns)) return undefined
  const entries = Object.entries(patterns)
  if (entries.length !== 1) return undefined
  const [pattern, schema] = entries[0] as [string, unknown]
  return ['^(.*)$', '^.*$', '.*', ''].includes(pattern) && isObject(schema) ? schema : undefined
}

function itemSchema(array: JsonSchema): JsonSchema | undefined {
  const items = array.items
  if (isObject(items)) return items
  return undefined
}

function split(schema: JsonSchema, root: JsonSchema, depth = 0): Kinds {
  const kinds: Kinds = { any: false, objects: [], arrays: [], scalars: new Set() }
  const add = (node: unknown, level: number): void => {
    if (level > 20 || !isObject(node)) {
      kinds.any = true
      return
    }
    if (typeof node.$ref === 'string') {
      const target = resolveRef(node.$ref, root)
      if (target === undefined) kinds.any = true
      else add(target, level + 1)
      return
    }
    const union = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined
    if (union) {
      if (union.length === 0) kinds.any = true
      for (const branch of union) add(branch, level + 1)
      return
    }
    const types = Array.isArray(node.type)
      ? node.type
      : typeof node.type === 'string'
        ? [node.type]
        : undefined
    if (types === undefined) {
      // `const`/`enum` of scalars say the kind without a type; anything else is free-form.
      const values =
        node.const !== undefined ? [node.const] : Array.isArray(node.enum) ? node.enum : undefined
      if (values?.every((v) => v === null || typeof v !== 'object')) {
        for (const v of values)
          kinds.scalars.add(v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v)
        return
      }
      if (isObject(node.properties)) {
        kinds.objects.push(node)
        return
      }
      kinds.any = true
      return
    }
    for (const type of types) {
      if (type === 'object') kinds.objects.push(node)
      else if (type === 'array') kinds.arrays.push(node)
      else if (typeof type === 'string') kinds.scalars.add(type)
    }
  }
  add(schema, depth)
  return kinds
}

/** A local reference (`#/definitions/x`, `#/$defs/x`); others are free-form. */
function resolveRef(ref: string, root: JsonSchema): unknown {
  if (ref === '#') return root
  if (!ref.startsWith('#/')) return undefined
  let node: unknown = root
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined
    node = node[key]
  }
  return node
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
