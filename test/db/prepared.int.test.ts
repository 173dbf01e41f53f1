/**
 * Hot statements are prepared once per connection on Postgres (and run as they are on PGlite):
 * the server lists them in pg_prepared_statements of the connection that ran them.
 */
import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/db/open.js'
import { prepared } from '../../src/db/prepared.js'
import { startPgBouncer } from '../support/db/pgbouncer.js'
import { createTestDatabase, type TestDatabase } from '../support/db/postgres.js'

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

describe('prepared statements behind a transaction pooler', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase('area_prepared_pooler')
  })
  afterAll(() => database?.drop())

  const answers = (store: Store, count: number) =>
    Promise.all(
      Array.from({ length: count }, async (_, n) => {
        const { rows } = await store.db.executeQuery<{ answer: number }>(CompiledQuery.raw(ANSWER, [n]))
        return rows[0]?.answer
      }),
    )
  const expected = (count: number) => Array.from({ length: count }, (_, n) => n + 1)

  it('sends nothing named when told the connection cannot keep them', async () => {
    const store = await openStore({ databaseUrl: database.url, poolSize: 1, preparedStatements: false })
    try {
      expect(await answers(store, 3)).toEqual(expected(3))
      const { rows } = await sql`select name from pg_prepared_statements`.execute(store.db)
      expect(rows).toEqual([])
    } finally {
      await store.close()
    }
  })

  it('turns named statements off at the first sign of a pooler that does not track them, and loses no query', async () => {
    const bouncer = await startPgBouncer({ mode: 'transaction', poolSize: 2 })
    const warnings: unknown[] = []
    const store = await openStore({
      databaseUrl: bouncer.url(database.url),
      poolSize: 6,
      onPreparedStatementsOff: (error) => warnings.push(error),
    })
    try {
      for (let round = 0; round < 5; round++) expect(await answers(store, 30)).toEqual(expected(30))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatchObject({ code: expect.stringMatching(/^(26000|42P05)$/) })
    } finally {
      await store.close()
      await bouncer.stop()
    }
  }, 60_000)
})
