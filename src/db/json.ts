import { type RawBuilder, sql } from 'kysely'
import type { JsonValue } from '../engine/types.js'

/**
 * A jsonb value to write, the same on both drivers. Never pass a JS value to a jsonb column
 * raw: node-postgres sends an array as a Postgres array literal (`{1,2}`, rejected or
 * mis-stored) and a string as JSON text, while PGlite serializes by the column's type. Sending
 * the JSON text as a parameter cast to jsonb leaves no room for either driver to guess.
 */
export function toJson<T extends JsonValue>(value: T): RawBuilder<T> {
  return sql<T>`${JSON.stringify(value)}::jsonb`
}
