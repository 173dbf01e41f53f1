/**
 * Label selectors (src/spec/label-selector.ts) as SQL over the `labels` jsonb column, the same
 * on Postgres and PGlite. `!=` and `notin` match rows without the label, as in Kubernetes.
 */
import { type RawBuilder, sql } from 'kysely'
import type { LabelRequirement } from '../spec/label-selector.js'

/** One boolean expression: every requirement holds (true when there are none). */
export function labelsMatch(column: string, requirements: readonly LabelRequirement[]): RawBuilder<boolean> {
  if (requirements.length === 0) return sql<boolean>`true`
  const parts = requirements.map((r) => {
    const value = sql`(${sql.ref(column)} ->> ${r.key})`
    if (r.op === 'exists') return sql`${value} is not null`
    if (r.op === 'absent') return sql`${value} is null`
    const list = sql.join(r.values)
    return r.op === 'in' ? sql`${value} in (${list})` : sql`(${value} is null or ${value} not in (${list}))`
  })
  return sql<boolean>`(${sql.join(parts, sql` and `)})`
}
