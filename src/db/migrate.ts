import { existsSync, readFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import { AreaError, errorMessage } from '../engine/errors.js'
import type { Store } from './open.js'
import type { Database } from './schema.js'

const SCHEMA = 'area'
const MIGRATION_TABLE = 'schema_migrations'
const MIGRATION_LOCK_TABLE = 'schema_migrations_lock'
/** Serializes the creation of the bookkeeping tables across processes (any constant will do). */
const BOOKKEEPING_LOCK_KEY = 7_236_871_005_118_421n

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
 * Applies the pending SQL migrations, all in one transaction, under Kysely's advisory lock: any
 * number of processes may run it at once, and a run with nothing pending is a no-op. The file
 * names are the migration names; a failure names its file and rolls back the whole run.
 */
export async function migrate(store: Store, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const db = store.db.withoutPlugins()
  await createBookkeeping(db)
  const provider = new SqlFileMigrationProvider(options.migrationsDir ?? migrationsDir(), store)
  const migrator = new Migrator({
    db,
    provider,
    migrationTableSchema: SCHEMA,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')
    const where = failed ? `Migration ${failed.migrationName} failed` : 'Migrating the database failed'
    const script = failed && provider.scripts.get(failed.migrationName)
    throw new AreaError('migration_failed', `${where}: ${describeSqlError(error, script)}`, { cause: error })
  }
  return {
    applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName),
  }
}

/**
 * Creates schema `area` and the Migrator's tables (with the columns it expects) under an advisory
 * lock, before the Migrator looks for them. Left to itself, the Migrator creates them unlocked and
 * only survives two processes racing on an empty database by catching Postgres's duplicate-key
 * error from `create … if not exists`; here the first process creates them and the others find
 * them. RLS goes on as for every table in the schema, so Supabase's API roles cannot read them.
 */
async function createBookkeeping(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(BOOKKEEPING_LOCK_KEY)})`.execute(trx)
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
  })
}

class SqlFileMigrationProvider implements MigrationProvider {
  /** The text of each file read, to turn an error's character position into a line number. */
  readonly scripts = new Map<string, string>()

  constructor(
    private readonly dir: string,
    private readonly store: Store,
  ) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((file) => file.endsWith('.sql')).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      const script = await readFile(join(this.dir, file), 'utf8')
      this.scripts.set(file, script)
      migrations[file] = { up: (trx) => this.store.runScript(script, trx) }
    }
    return migrations
  }
}

function describeSqlError(error: unknown, script: string | undefined): string {
  const message = errorMessage(error)
  const position = Number((error as { position?: unknown })?.position)
  if (!script || !Number.isInteger(position) || position < 1) return message
  const line = script.slice(0, position - 1).split('\n').length
  return `${message} (line ${line})`
}
