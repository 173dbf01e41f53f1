/**
 * A Postgres restart while a client is checked out inside a transaction (what the scheduler does
 * while it writes to Redis) must fail that transaction, not the process: the pool's own 'error'
 * listener covers idle clients only (docs/architecture.md, "Riding out faults"). Runs a private
 * Postgres, since it restarts it.
 */
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/db/open.js'
import { isDatabaseUnavailable } from '../../src/db/unavailable.js'
import { type PrivatePostgres, privatePostgres } from '../support/db/private-postgres.js'

describe('a Postgres restart under a checked-out client', () => {
  let server: PrivatePostgres
  let store: Store
  const uncaught: unknown[] = []
  const onUncaught = (error: unknown) => uncaught.push(error)

  beforeAll(async () => {
    server = await privatePostgres()
    await server.start()
    store = await openStore({ databaseUrl: server.url, poolSize: 4 })
  }, 120_000)
  afterAll(async () => {
    await store?.close()
    await server?.destroy()
  }, 60_000)
  beforeEach(() => {
    uncaught.length = 0
    process.on('uncaughtException', onUncaught)
  })
  afterEach(() => {
    process.off('uncaughtException', onUncaught)
  })

  for (const mode of ['fast', 'immediate'] as const) {
    it(`fails the transaction and serves the next queries after restart -m ${mode}`, async () => {
      // Idle clients in the pool too, as in a running daemon.
      await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(store.db)))
      let failure: unknown
      await store.db
        .transaction()
        .execute(async (trx) => {
          await sql`select 1`.execute(trx)
          // The server goes away while this transaction holds its client, between two statements.
          await server.restart(mode)
          await sql`select 2`.execute(trx)
        })
        .catch((error: unknown) => {
          failure = error
        })
      expect(failure).toBeDefined()
      expect(isDatabaseUnavailable(failure)).toBe(true)
      // Let the sockets' close and error events run.
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(uncaught).toEqual([])
      // Broken clients were dropped, not handed out again: every query works at the first try.
      const answers = await Promise.all(
        [1, 2, 3, 4].map((n) => sql<{ n: number }>`select ${n}::int as n`.execute(store.db)),
      )
      expect(answers.map((a) => a.rows[0]?.n)).toEqual([1, 2, 3, 4])
    }, 120_000)
  }
})
