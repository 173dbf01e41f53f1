import { existsSync, readFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Kysely, sql } from 'kysely'
import { AreaError, errorMessage } from '../engine/errors.js'
import type { Store } from './open.js'
import type { Database } from './schema.js'

const SCHEMA = 'area'
const MIGRATION_TABLE = 'schema_migrations'
const MIGRATION_LOCK_TABLE = 'schema_migrations_lock'
/** Serializes migration runs across processes (any constant will do). */
const MIGRATION_LOCK_KEY = 7_236_871_005_118_421n

/** supabase/migrations of the `area` package: found from src/ (tsx) and from dist/ alike. */
export function migrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'area') {
      return join(dir, 'supabase', 'migrations')
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('Cannot find the area package root (a package.json named "area")')
    dir = parent
  }
}

export interface MigrateOptions {
  /** Folder of `*.sql` files, applied in file-name order; default: `migrationsDir()`. */
  migrationsDir?: string
}

/**
 * Applies the pending SQL migrations, all in one transaction that first takes an advisory
 * transaction lock: any number of processes may run it at once, and a run with nothing pending is
 * a no-op. The file names are the migration names; a failure names its file and line and rolls
 * back the whole run.
 *
 * Our own runner rather than Kysely's Migrator: the Migrator holds a session-level advisory lock
 * across its transaction and releases it with a separate statement, and behind a transaction-mode
 * pooler (PgBouncer, Supavisor) those statements reach different server connections, so the lock
 * is never released and every other process waits on it for an hour (docs/architecture.md,
 * "Behind a connection pooler"). A transaction lock lives and dies with the one transaction,
 * which a pooler keeps on one server connection. The bookkeeping tables keep the Migrator's
 * layout, so databases migrated by earlier versions (and those versions) still work.
 */
export async function migrate(store: Store, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const scripts = await readScripts(options.migrationsDir ?? migrationsDir())
  const db = store.db.withoutPlugins()
  let current: string | undefined
  try {
    const applied = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx)
      await createBookkeeping(trx)
      const { rows } = await sql<{ name: string }>`
        select name from ${sql.table(`${SCHEMA}.${MIGRATION_TABLE}`)} order by name`.execute(trx)
      const pending = checkHistory(
        rows.map((row) => row.name),
        [...scripts.keys()],
      )
      for (const name of pending) {
        current = name
        await store.runScript(scripts.get(name) as string, trx)
        await sql`insert into ${sql.table(`${SCHEMA}.${MIGRATION_TABLE}`)} (name, timestamp)
          values (${name}, ${new Date().toISOString()})`.execute(trx)
      }
      current = undefined
      return pending
    })
    return { applied }
  } catch (error) {
    if (error instanceof AreaError) throw error
    const where = current ? `Migration ${current} failed` : 'Migrating the database failed'
    throw new AreaError(
      'migration_failed',
      `${where}: ${describeSqlError(error, current && scripts.get(current))}`,
      {
        cause: error,
      },
    )
  }
}

async function readScripts(dir: string): Promise<Map<string, string>> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort()
  return new Map(
    await Promise.all(files.map(async (file) => [file, await readFile(join(dir, file), 'utf8')] as const)),
  )
}

/**
 * The files not yet applied, in order. A database that holds migrations these files lack was
 * migrated by a newer area; a pending file that sorts before the last applied one was added out
 * of order: both are refused rather than guessed at.
 */
function checkHistory(applied: string[], files: string[]): string[] {
  const known = new Set(files)
  const unknown = applied.filter((name) => !known.has(name))
  if (unknown.length) {
    throw new AreaError(
      'migration_failed',
      `The database was migrated by a newer version of area (it has ${unknown.join(', ')}, which this version does not ship); run that version or a newer one`,
    )
  }
  const done = new Set(applied)
  const pending = files.filter((name) => !done.has(name))
  const last = applied.at(-1)
  const early = last === undefined ? [] : pending.filter((name) => name < last)
  if (early.length) {
    throw new AreaError(
      'migration_failed',
      `Migration ${early[0]} sorts before ${last}, which is already applied: give it a later timestamp so that every database applies migrations in one order`,
    )
  }
  return pending
}

/**
 * Creates schema `area` and the bookkeeping tables, inside the migration's transaction and lock.
 * `schema_migrations_lock` is unused here; it stays because earlier versions of area (which used
 * Kysely's Migrator) expect it. RLS goes on as for every table in the schema, so Supabase's API
 * roles cannot read them.
 */
async function createBookkeeping(trx: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ ready: boolean }>`
    select to_regclass(${`${SCHEMA}.${MIGRATION_TABLE}`}) is not null
       and to_regclass(${`${SCHEMA}.${MIGRATION_LOCK_TABLE}`}) is not null as ready`.execute(trx)
  if (rows[0]?.ready) return
  await trx.schema.createSchema(SCHEMA).ifNotExists().execute()
  await trx.schema
    .withSchema(SCHEMA)
    .createTable(MIGRATION_TABLE)
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (col) => col.notNull().primaryKey())
    .addColumn('timestamp', 'varchar(255)', (col) => col.notNull())
    .execute()
  await trx.schema
    .withSchema(SCHEMA)
    .createTable(MIGRATION_LOCK_TABLE)
    .ifNotExists()
    .addColumn('id', 'varchar(255)', (col) => col.notNull().primaryKey())
    .addColumn('is_locked', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  for (const table of [MIGRATION_TABLE, MIGRATION_LOCK_TABLE]) {
    await sql`alter table ${sql.table(`${SCHEMA}.${table}`)} enable row level security`.execute(trx)
  }
}

function describeSqlError(error: unknown, script: string | undefined | false): string {
  const message = errorMessage(error)
  const position = Number((error as { position?: unknown })?.position)
  if (!script || !Number.isInteger(position) || position < 1) return message
  const line = script.slice(0, position - 1).split('\n').length
  return `${message} (line ${line})`
}
