/**
 * A params JSON Schema as rows people read: every field, nested ones as dotted paths
 * (`headers.<key>`, `fields[].name`), with its type, whether it is required, its default, its
 * description and examples. `area services describe` prints them, and the fields of an action's
 * event and a reaction's output the same way (docs/architecture.md, "Typed events").
 */

export interface FieldRow {
  path: string
  type: string
  required: boolean
  default?: unknown
  description: string
  examples: unknown[]
  secret: boolean
}

type Schema = Record<string, unknown>

const asSchema = (value: unknown): Schema | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : undefined

export function fieldRows(schema: unknown, prefix = '', parentRequired = true): FieldRow[] {
  const object = asSchema(schema)
  if (!object) return []
  const properties = asSchema(object.properties) ?? {}
  const required = new Set(Array.isArray(object.required) ? (object.required as string[]) : [])
  const rows: FieldRow[] = []
  for (const [name, value] of Object.entries(properties)) {
    rows.push(...fieldRowsOf(`${prefix}${name}`, asSchema(value) ?? {}, parentRequired && required.has(name)))
  }
  // Free-form keys (headers, labels): one row for any key.
  const patterns = Object.values(asSchema(object.patternProperties) ?? {}).map(asSchema)
  const extra = asSchema(object.additionalProperties) ?? patterns.find(Boolean)
  if (extra) rows.push(...fieldRowsOf(`${prefix}<key>`, extra, false))
  return rows
}

function fieldRowsOf(path: string, schema: Schema, required: boolean): FieldRow[] {
  const row: FieldRow = {
    path,
    type: typeOf(schema),
    required,
    ...(schema.default === undefined ? {} : { default: schema.default }),
    description: typeof schema.description === 'string' ? schema.description : '',
    examples: Array.isArray(schema.examples) ? schema.examples : [],
    secret: schema.writeOnly === true,
  }
  const rows = [row]
  // The sub-fields of an object, of the objects in an array, and of the object branch of a union.
  const items = asSchema(schema.items)
  const objectBranch = Array.isArray(schema.anyOf)
    ? (schema.anyOf as unknown[]).map(asSchema).find((s) => s?.type === 'object' && s.properties)
    : undefined
  if (schema.type === 'object') rows.push(...fieldRows(schema, `${path}.`, required))
  else if (items?.type === 'object') rows.push(...fieldRows(items, `${path}[].`, required))
  else if (objectBranch) rows.push(...fieldRows(objectBranch, `${path}.`, required))
  return rows
}

function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ')
  if (Array.isArray(schema.anyOf)) {
    return (schema.anyOf as unknown[]).map((s) => typeOf(asSchema(s) ?? {})).join(' | ')
  }
  if (schema.type === 'array') {
    const items = asSchema(schema.items)
    return items ? `array of ${typeOf(items)}` : 'array'
  }
  // An object that declares some fields and says others may come (a vendor's payload).
  if (schema.type === 'object' && schema.additionalProperties === true) return 'object, open'
  if (typeof schema.type === 'string') return schema.type
  return 'any'
}
