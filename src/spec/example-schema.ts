/**
 * The schema an example event stands for when the AREA file declares an example and no schema
 * (event-shape.ts): objects have exactly the example's fields (a field it lacks is a typo to
 * report, not a field to guess), a list's elements are shaped like its first one, and a null or
 * an empty list says nothing (free-form). Declare a schema to say more.
 */
import type { JsonValue } from '../engine/types.js'
import type { JsonSchema } from './schema-paths.js'

export function schemaFromExample(value: JsonValue): JsonSchema {
  if (value === null) return {}
  if (Array.isArray(value)) {
    const [first] = value
    return first === undefined ? { type: 'array' } : { type: 'array', items: schemaFromExample(first) }
  }
  if (typeof value === 'object') {
    const properties: Record<string, JsonSchema> = {}
    for (const [key, item] of Object.entries(value)) properties[key] = schemaFromExample(item)
    return { type: 'object', additionalProperties: false, properties }
  }
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' }
  return { type: typeof value }
}
