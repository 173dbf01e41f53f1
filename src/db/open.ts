import type { Kysely } from 'kysely'
import { resolveDataDir } from './data-dir.js'
import { openPostgresStore } from './open-postgres.js'
import type { Database } from './schema.js'

/**
 * The one database port, over two drivers that return the same JS types: timestamptz → Date,
 * int8 (e.g. `count(*)`) → number, numeric → string, jsonb → parsed value (write it with
 * `toJson`).
 */
export interface Store {
  driver: 'pglite' | 'postgres'
  /**
   * Scoped to schema `area`: `db.selectFrom('users')` reads `area.users`. Raw `sql` is not
   * rewritten and runs against the default search path, so it names `area.users` itself.
   */
  db: Kysely<Database>
  /** Runs a multi-statement SQL script (DO blocks allowed), inside `trx` when given. */
  runScript(sql: string, trx?: Kysely<Database>): Promise<void>
  /** Closes the pool or the embedded database, and releases the data directory's lock. */
  close(): Promise<void>
}

export interface OpenStoreOptions {
  /** Postgres connection string; without it, the embedded PGlite database is used. */
  databaseUrl?: string
  /** Where the embedded database lives (under `pglite/`); default: `resolveDataDir()`. */
  dataDir?: string
  /** Postgres pool size (default 10). */
  poolSize?: number
  /** Named prepared statements on Postgres (default true): see open-postgres.ts. */
  preparedStatements?: boolean
  onPreparedStatementsOff?: (error: unknown) => void
}

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  if (options.databaseUrl) return openPostgresStore(options.databaseUrl, options)
  // Loaded only when used: PGlite's module alone adds about 50 MB to a process's RSS.
  const { openPgliteStore } = await import('./open-pglite.js')
  return openPgliteStore(options.dataDir ?? resolveDataDir())
}
