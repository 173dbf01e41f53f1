/**
 * Hot statements are prepared once per connection on Postgres (and run as they are on PGlite):
 * the server lists them in pg_prepared_statements of the connection that ran them.
 */
import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/db/open.js'
import { prepared } from '../../src/db/prepared.js'
import { createTestDatabase } from '../support/db/postgres.js'

const ANSWER = prepared('area_test_answer', 'select $1::int + 1 as answer')

describe('prepared statements on Postgres', () => {
  let store: Store
  let drop: () => Promise<void>
  beforeAll(async () => {
    const database = await createTestDatabase('area_prepared')
    drop = database.drop
    // One connection, so the statement and the check share it.
    store = await openStore({ databaseUrl: database.url, poolSize: 1 })
  })
  afterAll(async () => {
    await store.close()
    await drop()
  })

  it('sends a registered text as a named statement, and others unnamed', async () => {
    for (const n of [1, 2, 3]) {
      const { rows } = await store.db.executeQuery<{ answer: number }>(CompiledQuery.raw(ANSWER, [n]))
      expect(rows).toEqual([{ answer: n + 1 }])
    }
    await sql`select ${1}::int as other`.execute(store.db)
    const { rows } = await sql<{ name: string; statement: string }>`
      select name, statement from pg_prepared_statements`.execute(store.db)
    expect(rows).toEqual([{ name: 'area_test_answer', statement: ANSWER }])
  })

  it('refuses one text under two names', () => {
    expect(() => prepared('area_test_other', ANSWER)).toThrow('registered twice')
  })
})
