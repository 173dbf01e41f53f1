import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, sql } from 'kysely'
import pg from 'pg'
import type { Store } from './open.js'
import { isPreparedStatementMismatch, withoutPoolerHint } from './pooler.js'
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

export interface PostgresStoreOptions {
  /** Connections this process may open (default 10). */
  poolSize?: number
  /**
   * Send the hot statements (prepared.ts) as named prepared statements (default true). Off
   * behind a transaction-mode pooler that does not track them (PgBouncer before 1.21).
   */
  preparedStatements?: boolean
  /** Told once when named statements fail as they do behind a transaction pooler, and are turned off. */
  onPreparedStatementsOff?: (error: unknown) => void
}

export function openPostgresStore(databaseUrl: string, options: PostgresStoreOptions = {}): Store {
  const pool = new pg.Pool({
    connectionString: withoutPoolerHint(databaseUrl),
    max: options.poolSize ?? 10,
    types,
  })
  // An idle connection dropped by the server (restart, pooler timeout) is only discarded; the next
  // query opens a new one. Without a listener the pool's 'error' event would crash the process.
  pool.on('error', () => {})
  const naming: Naming = { on: options.preparedStatements ?? true, onOff: options.onPreparedStatementsOff }
  const root = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparing(pool, naming) }) })
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

interface Naming {
  on: boolean
  onOff: ((error: unknown) => void) | undefined
}

/**
 * The pool as Kysely sees it, sending the hot statements (prepared.ts) as named statements while
 * `naming.on`. The first error that shows the connection cannot keep them (a transaction-mode
 * pooler that does not track them) turns naming off for the whole store and runs the statement
 * again unnamed, so a misjudged pooler costs one warning, not failed events.
 *
 * A checked-out client has no 'error' listener of the pool's (that one covers idle clients
 * only), so a server restart while a transaction holds the client would emit an unhandled
 * 'error' and end the process. Each checked-out client gets a listener of its own: the error is
 * kept, the query in flight fails on its own, and the client is destroyed on release rather than
 * handed to the next caller (docs/architecture.md, "Riding out faults").
 */
function preparing(pool: pg.Pool, naming: Naming): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect()
      let broken: Error | undefined
      const onError = (error: Error) => {
        broken ??= error
      }
      client.on('error', onError)
      const plain = (text: unknown, values?: readonly unknown[]) =>
        (client.query as (...args: unknown[]) => Promise<unknown>)(text, values)
      return {
        async query(text: unknown, values?: readonly unknown[]) {
          const name = naming.on && typeof text === 'string' ? preparedName(text) : undefined
          if (name === undefined) return plain(text, values)
          try {
            return await client.query({ name, text: text as string, values: values as unknown[] })
          } catch (error) {
            if (!isPreparedStatementMismatch(error)) throw error
            if (naming.on) {
              naming.on = false
              naming.onOff?.(error)
            }
            return plain(text, values)
          }
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
