import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { toJson } from '../../src/db/json.js'
import { openStore, type Store } from '../../src/db/open.js'
import type { JsonValue } from '../../src/engine/types.js'
import { describeEachDriver } from '../support/db/stores.js'

const repoRoot = join(import.meta.dirname, '..', '..')
const childScript = 'test/support/db/open-store-process.ts'

describeEachDriver('store type mapping', (store, driver) => {
  it(`opens a ${driver} store whose db is scoped to schema area`, async () => {
    expect(store().driver).toBe(driver)
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store().db)
    // Unqualified raw SQL still resolves against the search path; only the query builder is scoped.
    expect(rows[0]?.schema).toBe('public')
    await expect(store().db.selectFrom('users').select('id').execute()).resolves.toEqual([])
  })

  it('reads timestamptz as a Date, the instant written', async () => {
    const expiresAt = new Date('2031-02-03T04:05:06.789Z')
    const user = await store()
      .db.insertInto('users')
      .values({ email: 'dates@example.com' })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow()
    expect(user.created_at).toBeInstanceOf(Date)
    expect(Math.abs(user.created_at.getTime() - Date.now())).toBeLessThan(60_000)

    await store()
      .db.insertInto('api_tokens')
      .values({ user_id: user.id, name: 'ci', token_hash: 'hash-dates', expires_at: expiresAt })
      .execute()
    const token = await store()
      .db.selectFrom('api_tokens')
      .select(['expires_at', 'revoked_at'])
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(token.expires_at).toBeInstanceOf(Date)
    expect(token.expires_at?.toISOString()).toBe(expiresAt.toISOString())
    expect(token.revoked_at).toBeNull()
  })

  it('reads count(*) and other int8 values as numbers, and keeps numeric as a string', async () => {
    await store()
      .db.insertInto('audit_logs')
      .values([{ action_type: 'count.a' }, { action_type: 'count.b' }, { action_type: 'count.c' }])
      .execute()
    const { n } = await store()
      .db.selectFrom('audit_logs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('action_type', 'like', 'count.%')
      .executeTakeFirstOrThrow()
    expect(n).toBe(3)

    const { rows } = await sql<{ big: number; list: number[]; exact: string }>`
      select 9007199254740991::int8 as big, array[1, null, 3]::int8[] as list,
             12345678901234567890.125::numeric as exact`.execute(store().db)
    expect(rows[0]).toEqual({
      big: Number.MAX_SAFE_INTEGER,
      list: [1, null, 3],
      exact: '12345678901234567890.125',
    })
  })

  it.each<[string, JsonValue]>([
    ['object', { nested: { list: [1, 'two', null], flag: true }, emoji: 'é ✓' }],
    ['array', [1, 'two', { three: 3 }, [4], null]],
    ['array', []],
    ['string', 'plain text, "quoted"'],
    ['number', 42.5],
  ])('round-trips a JSON %s written with toJson through jsonb', async (jsonType, value) => {
    const row = await store()
      .db.insertInto('audit_logs')
      .values({ action_type: 'json', metadata: toJson(value) })
      .returning(['id', 'metadata'])
      .executeTakeFirstOrThrow()
    expect(row.metadata).toEqual(value)
    const read = await store()
      .db.selectFrom('audit_logs')
      .select('metadata')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow()
    expect(read.metadata).toEqual(value)
    const { rows } = await sql<{
      type: string
    }>`select jsonb_typeof(metadata) as type from area.audit_logs where id = ${row.id}`.execute(store().db)
    expect(rows[0]?.type).toBe(jsonType)
  })

  it('runs a multi-statement script with a DO block, all or nothing', async () => {
    await store().runScript(`
      create table area.script_probe (id int primary key);
      do $$ begin insert into area.script_probe values (1), (2); end $$;`)
    const { rows } = await sql<{ n: number }>`select count(*) as n from area.script_probe`.execute(store().db)
    expect(rows[0]?.n).toBe(2)

    await expect(store().runScript('create table area.script_half (id int);\nselect 1 / 0;')).rejects.toThrow(
      /division by zero/,
    )
    expect(await relationExists(store(), 'area.script_half')).toBe(false)
  })

  it('runs a script inside the transaction it is given, and rolls back with it', async () => {
    await expect(
      store()
        .db.transaction()
        .execute(async (trx) => {
          await store().runScript('create table area.in_trx (id int);', trx)
          expect(await relationExists(trx, 'area.in_trx')).toBe(true)
          throw new Error('abort the transaction')
        }),
    ).rejects.toThrow('abort the transaction')
    expect(await relationExists(store(), 'area.in_trx')).toBe(false)
  })
})

async function relationExists(target: Store | Store['db'], name: string): Promise<boolean> {
  const db = 'db' in target ? target.db : target
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${name}) is not null as found`.execute(db)
  return rows[0]?.found ?? false
}

describe('the embedded data directory lock', () => {
  let dataDir: string
  const stores: Store[] = []
  beforeAll(async () => {
    // Creating the database once here keeps the tests to reopening it, which is much faster.
    dataDir = await mkdtemp(join(tmpdir(), 'area-lock-'))
    await (await openStore({ dataDir })).close()
  })
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()))
  })
  afterAll(() => rm(dataDir, { recursive: true, force: true }))

  it('refuses a second process with a message that says what to do, until close() releases it', async () => {
    const store = await openStore({ dataDir })
    stores.push(store)

    const refused = await openStoreInChild(dataDir)
    expect(refused.code).toBe(1)
    const error = JSON.parse(refused.stderr) as { code: string; message: string }
    expect(error.code).toBe('data_dir_locked')
    expect(error.message).toContain(join(dataDir, 'pglite'))
    expect(error.message).toContain('another area process')
    expect(error.message).toContain('area serve')
    expect(error.message).toContain('DATABASE_URL')
    expect(error.message).toContain('AREA_DATA_DIR')

    await store.close()
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false)
    const accepted = await openStoreInChild(dataDir)
    expect(accepted, accepted.stderr).toMatchObject({ code: 0, stdout: 'opened\n' })
  }, 120_000)

  it('stays locked while the main thread is blocked for longer than the stale period', () => {
    // PGlite runs synchronously on the main thread (creating a database blocks it for seconds);
    // spawnSync blocks it the same way while the child waits out the stale period and tries.
    return openStore({ dataDir }).then((store) => {
      stores.push(store)
      const child = spawnSync(process.execPath, ['--import', 'tsx', childScript, dataDir, '12000'], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      })
      expect(child.status, child.stdout).toBe(1)
      expect(JSON.parse(child.stderr)).toMatchObject({ code: 'data_dir_locked' })
    })
  }, 120_000)

  it('refuses a second store on the same directory in this process too', async () => {
    stores.push(await openStore({ dataDir }))
    await expect(openStore({ dataDir })).rejects.toMatchObject({ code: 'data_dir_locked' })
  })
})

function openStoreInChild(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '' },
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
