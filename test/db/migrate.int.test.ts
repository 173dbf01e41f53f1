import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, migrationsDir } from '../../src/db/migrate.js'
import { openStore, type Store } from '../../src/db/open.js'
import { cliBin } from '../support/cli/run-cli.js'
import { startPgBouncer } from '../support/db/pgbouncer.js'
import { createTestDatabase, type TestDatabase } from '../support/db/postgres.js'
import { drivers, openTestStore, type TestStore } from '../support/db/stores.js'
import { appTables, bookkeepingTables, type SchemaShape, schemaShape } from './schema-shape.js'

const repoRoot = join(import.meta.dirname, '..', '..')
const migrationFiles = (await readdir(migrationsDir())).filter((file) => file.endsWith('.sql')).sort()

async function tablesIn(store: Store, schema: string) {
  const { rows } = await sql<{ name: string; rls: boolean }>`
    select c.relname as name, c.relrowsecurity as rls
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind in ('r', 'p')
    order by c.relname`.execute(store.db)
  return rows
}

async function tableExists(store: Store, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${name}) is not null as found`.execute(
    store.db,
  )
  return rows[0]?.found ?? false
}

describe('migrationsDir', () => {
  it('finds supabase/migrations of this package', () => {
    expect(migrationsDir()).toBe(join(repoRoot, 'supabase', 'migrations'))
    expect(migrationFiles.length).toBeGreaterThan(0)
  })
})

describe.each(drivers)('migrate on an empty database (%s)', (driver) => {
  let testStore: TestStore
  let firstRun: { applied: string[] }
  let secondRun: { applied: string[] }
  beforeAll(async () => {
    testStore = await openTestStore(driver, { migrated: false })
    firstRun = await migrate(testStore.store)
    secondRun = await migrate(testStore.store)
  })
  afterAll(() => testStore?.dispose())

  it('applies every migration file in order, and nothing on a second run', () => {
    expect(firstRun).toEqual({ applied: migrationFiles })
    expect(secondRun).toEqual({ applied: [] })
  })

  it('creates every table of the Database interface in schema area, and none in public', async () => {
    const names = (await tablesIn(testStore.store, 'area')).map((table) => table.name)
    expect(names).toEqual([...appTables, ...bookkeepingTables].sort())
    expect(await tablesIn(testStore.store, 'public')).toEqual([])
  })

  it('creates the columns src/db/schema.ts declares, with the same nullability', async () => {
    const { rows } = await sql<{ table: keyof SchemaShape; column: string; shape: string }>`
      select table_name as table, column_name as column,
             case when data_type = 'jsonb' then 'json' when is_nullable = 'YES' then 'null' else 'not null' end as shape
      from information_schema.columns
      where table_schema = 'area' and table_name <> all(${[...bookkeepingTables]})`.execute(
      testStore.store.db,
    )
    const actual: Record<string, Record<string, string>> = {}
    for (const { table, column, shape } of rows) actual[table] = { ...actual[table], [column]: shape }
    expect(actual).toEqual(schemaShape)
  })

  it('enables row level security on every table in schema area, bookkeeping included', async () => {
    const tables = await tablesIn(testStore.store, 'area')
    expect(tables.length).toBe(appTables.length + bookkeepingTables.length)
    expect(tables.filter((table) => !table.rls)).toEqual([])
  })
})

describe.each(drivers)('a failing migration (%s)', (driver) => {
  let testStore: TestStore
  const folders: string[] = []
  beforeAll(async () => {
    testStore = await openTestStore(driver, { migrated: false })
  })
  afterAll(async () => {
    await testStore?.dispose()
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
  })

  async function migrationsFolder(files: Record<string, string>): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'area-migrations-'))
    folders.push(folder)
    for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text)
    return folder
  }

  it('rolls the whole run back and names the file and the line', async () => {
    const folder = await migrationsFolder({
      '20260101000000_first.sql': 'create table area.first_table (id int);\n',
      '20260102000000_broken.sql':
        'create table area.half_done (id int);\ninsert into area.half_done values (1);\nselect * from area.no_such_table;\n',
    })
    const error = await migrate(testStore.store, { migrationsDir: folder }).catch(
      (failure: unknown) => failure,
    )
    expect(error).toMatchObject({ code: 'migration_failed' })
    expect((error as Error).message).toMatch(
      /^Migration 20260102000000_broken\.sql failed: .*no_such_table.* \(line 3\)$/,
    )
    expect(await tableExists(testStore.store, 'area.first_table')).toBe(false)
    expect(await tableExists(testStore.store, 'area.half_done')).toBe(false)
    // The bookkeeping tables are created in the same transaction: nothing at all is left.
    expect(await tableExists(testStore.store, 'area.schema_migrations')).toBe(false)
  })

  it('rolls back a script that fails inside a DO block, then applies it once fixed', async () => {
    const name = '20260103000000_do_block.sql'
    const folder = await migrationsFolder({
      [name]: "create table area.before_do (id int);\ndo $$ begin raise exception 'stop here'; end $$;\n",
    })
    await expect(migrate(testStore.store, { migrationsDir: folder })).rejects.toThrow(
      /^Migration 20260103000000_do_block\.sql failed: stop here/,
    )
    expect(await tableExists(testStore.store, 'area.before_do')).toBe(false)

    await writeFile(join(folder, name), 'create table area.before_do (id int);\n')
    expect(await migrate(testStore.store, { migrationsDir: folder })).toEqual({ applied: [name] })
    expect(await tableExists(testStore.store, 'area.before_do')).toBe(true)
  })
})

describe.each(drivers)('migration history (%s)', (driver) => {
  let testStore: TestStore
  let folder: string
  beforeAll(async () => {
    testStore = await openTestStore(driver, { migrated: false })
    folder = await mkdtemp(join(tmpdir(), 'area-migrations-'))
  })
  afterAll(async () => {
    await testStore?.dispose()
    if (folder) await rm(folder, { recursive: true, force: true })
  })

  it('refuses a database migrated by a newer version, and a file added before an applied one', async () => {
    const store = testStore.store
    await writeFile(join(folder, '20260105000000_second.sql'), 'select 1;\n')
    expect(await migrate(store, { migrationsDir: folder })).toEqual({
      applied: ['20260105000000_second.sql'],
    })
    await writeFile(join(folder, '20260104000000_late.sql'), 'create table area.late (id int);\n')
    await expect(migrate(store, { migrationsDir: folder })).rejects.toThrow(
      'Migration 20260104000000_late.sql sorts before 20260105000000_second.sql, which is already applied',
    )
    expect(await tableExists(store, 'area.late')).toBe(false)

    const older = await mkdtemp(join(tmpdir(), 'area-migrations-'))
    await writeFile(join(older, '20260101000000_first.sql'), 'select 1;\n')
    await expect(migrate(store, { migrationsDir: older })).rejects.toThrow(
      /^The database was migrated by a newer version of area \(it has .*20260105000000_second\.sql/,
    )
    await rm(older, { recursive: true, force: true })
  })
})

describe('concurrent migrations on an empty Postgres database', () => {
  const databases: TestDatabase[] = []
  afterAll(() => Promise.all(databases.map((database) => database.drop())))

  async function emptyDatabase(): Promise<string> {
    const database = await createTestDatabase('area_migrate_race')
    databases.push(database)
    return database.url
  }

  async function expectFullyMigrated(url: string): Promise<void> {
    const store = await openStore({ databaseUrl: url })
    try {
      const tables = await tablesIn(store, 'area')
      expect(tables.map((table) => table.name)).toEqual([...appTables, ...bookkeepingTables].sort())
      expect(tables.every((table) => table.rls)).toBe(true)
    } finally {
      await store.close()
    }
  }

  it('lets two `area db migrate` processes run at once: both succeed, one applies everything', async () => {
    const url = await emptyDatabase()
    const runs = await Promise.all([runMigrateCommand(url), runMigrateCommand(url)])
    for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0 })
    const applied = runs.map((run) => (JSON.parse(run.stdout) as { applied: string[] }).applied)
    expect(applied.sort((a, b) => b.length - a.length)).toEqual([migrationFiles, []])
    await expectFullyMigrated(url)
  }, 120_000)

  it('lets many pools race through the bookkeeping setup of an empty database', async () => {
    const url = await emptyDatabase()
    const stores = await Promise.all(
      Array.from({ length: 6 }, () => openStore({ databaseUrl: url, poolSize: 2 })),
    )
    try {
      const results = await Promise.allSettled(stores.map((store) => migrate(store)))
      expect(results.filter((result) => result.status === 'rejected')).toEqual([])
      const applied = results.flatMap((result) => (result.status === 'fulfilled' ? result.value.applied : []))
      expect(applied).toEqual(migrationFiles)
    } finally {
      await Promise.all(stores.map((store) => store.close()))
    }
    await expectFullyMigrated(url)
  })

  it('lets many pools race through a transaction-mode pooler with fewer server connections than clients', async () => {
    const url = await emptyDatabase()
    const bouncer = await startPgBouncer({ mode: 'transaction', poolSize: 3 })
    const stores = await Promise.all(
      Array.from({ length: 6 }, () => openStore({ databaseUrl: bouncer.url(url), poolSize: 2 })),
    )
    try {
      const results = await Promise.allSettled(stores.map((store) => migrate(store)))
      expect(results.filter((result) => result.status === 'rejected')).toEqual([])
      const applied = results.flatMap((result) => (result.status === 'fulfilled' ? result.value.applied : []))
      expect(applied).toEqual(migrationFiles)
    } finally {
      await Promise.all(stores.map((store) => store.close()))
      await bouncer.stop()
    }
    await expectFullyMigrated(url)
  }, 60_000)
})

function runMigrateCommand(
  databaseUrl: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin(), 'db', 'migrate', '--json'], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_OPTIONS: '' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
