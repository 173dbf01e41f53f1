import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, sql } from 'kysely'
import pg from 'pg'
import type { Store } from './open.js'
import { preparedName } from './prepared.js'
import type { Database } from './schema.js'
import { PG_INT8, PG_INT8_ARRAY, parseInt8 } from './type-parsers.js'

const parseInt8ArrayAsStrings: (text: string) => unknown = pg.types.getTypeParser(
  PG_INT8_ARRAY as Parameters<typeof pg.types.getTypeParser>[0],
  'text',
)

/** Per-pool parsers: mutating `pg.types` would change every other pg user in the process. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === PG_INT8) return parseInt8
      if (oid === PG_INT8_ARRAY) return (text: string) => mapInt8Array(parseInt8ArrayAsStrings(text))
    }
    return pg.types.getTypeParser(oid, format)
  }) as typeof pg.types.getTypeParser,
}

/** node-postgres parses int8[] (of any depth) into strings. */
function mapInt8Array(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mapInt8Array)
  return typeof value === 'string' ? parseInt8(value) : value
}

export function openPostgresStore(databaseUrl: string, poolSize = 10): Store {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, types })
  // An idle connection dropped by the server (restart, pooler timeout) is only discarded; the next
  // query opens a new one. Without a listener the pool's 'error' event would crash the process.
  pool.on('error', () => {})
  const root = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparing(pool) }) })
  let closing: Promise<void> | undefined
  return {
    driver: 'postgres',
    db: root.withSchema('area'),
    async runScript(script, trx) {
      // No parameters, so node-postgres uses the simple query protocol, which accepts many
      // statements (and DO blocks) in one string and runs them as one implicit transaction.
      await sql.raw(script).execute(trx ?? root)
    },
    close() {
      closing ??= root.destroy()
      return closing
    },
  }
}

/**
 * The pool as Kysely sees it, sending the hot statements (prepared.ts) as named statements.
 *
 * A checked-out client has no 'error' listener of the pool's (that one covers idle clients
 * only), so a server restart while a transaction holds the client would emit an unhandled
 * 'error' and end the process. Each checked-out client gets a listener of its own: the error is
 * kept, the query in flight fails on its own, and the client is destroyed on release rather than
 * handed to the next caller (docs/architecture.md, "Riding out faults").
 */
function preparing(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect()
      let broken: Error | undefined
      const onError = (error: Error) => {
        broken ??= error
      }
      client.on('error', onError)
      return {
        query(text: unknown, values?: readonly unknown[]) {
          const name = typeof text === 'string' ? preparedName(text) : undefined
          if (name === undefined) return (client.query as (...args: unknown[]) => unknown)(text, values)
          return client.query({ name, text: text as string, values: values as unknown[] })
        },
        release: () => {
          client.off('error', onError)
          // An error makes pg-pool remove the client instead of keeping it idle.
          client.release(broken)
        },
      } as PostgresPoolClient
    },
    end: () => pool.end(),
  }
}
