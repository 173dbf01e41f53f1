/**
 * What both drivers return for the types where their defaults differ: int8 (`count(*)`, `sum`
 * of integers) becomes a JS number instead of a string (node-postgres) or a number-or-bigint
 * (PGlite). Counts never come near 2^53; a bigint column that could would need its own cast.
 * timestamptz → Date, jsonb → parsed value and numeric → string are already both defaults.
 */
export const PG_INT8 = 20
export const PG_INT8_ARRAY = 1016

export function parseInt8(text: string): number {
  return Number(text)
}
