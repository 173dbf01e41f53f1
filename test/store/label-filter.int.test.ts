/**
 * The label selector's SQL (src/store/label-filter.ts) gives what matchesLabels says, on both
 * drivers: Postgres and PGlite read jsonb the same way.
 */
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { matchesLabels, parseLabelSelector } from '../../src/spec/label-selector.js'
import { labelsMatch } from '../../src/store/label-filter.js'
import { describeEachDriver } from '../support/db/stores.js'

const rows: Record<string, Record<string, string>> = {
  a1: { team: 'infra' },
  a2: { team: 'infra', env: 'prod' },
  web: { team: 'web', 'example.com/tier': 'front' },
  plain: {},
}

const selectors = [
  '',
  'team=infra',
  'team!=infra',
  'team in (infra,web),env!=prod',
  'team notin (web)',
  'env',
  '!env',
  'example.com/tier=front',
  "team='x'",
]

describeEachDriver('label selectors in SQL', (store) => {
  it.each(selectors)('%s selects what matchesLabels selects', async (selector) => {
    const values = sql.join(
      Object.entries(rows).map(([name, labels]) => sql`(${name}, cast(${JSON.stringify(labels)} as jsonb))`),
    )
    const requirements = (() => {
      try {
        return parseLabelSelector(selector)
      } catch {
        return undefined
      }
    })()
    if (!requirements) {
      // Quotes are not label values: the parser refuses them before any SQL is built.
      expect(() => parseLabelSelector(selector)).toThrow('invalid label selector')
      return
    }
    const result = await sql<{ name: string }>`
      select name from (values ${values}) as t(name, labels)
      where ${labelsMatch('t.labels', requirements)} order by name`.execute(store().db)
    const expected = Object.keys(rows)
      .filter((name) => matchesLabels(rows[name] ?? {}, requirements))
      .sort()
    expect(result.rows.map((r) => r.name)).toEqual(expected)
  })
})
