/**
 * The CLI against `area serve` on Postgres and Redis (not the embedded defaults): the same
 * commands must behave the same, including the atomic apply and the exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession, timerArea, webhookArea } from '../support/cli/cli-session.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'
import { createTestDatabase, type TestDatabase } from '../support/db/postgres.js'
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../support/redis.js'

let database: TestDatabase
let prefix: string
let daemon: DaemonProcess
let me: CliSession

beforeAll(async () => {
  database = await createTestDatabase('cli_commands')
  prefix = uniquePrefix('cli')
  daemon = await startDaemon({
    name: 'cli-postgres-redis',
    role: 'all',
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: sharedRedisUrl,
      AREA_REDIS_PREFIX: prefix,
      AREA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    },
  })
  me = await cliSession('postgres-redis', daemon.url)
})

afterAll(async () => {
  await daemon?.stop()
  await me?.cleanup()
  await database?.drop()
  if (prefix) await deleteKeys(prefix)
})

describe('the CLI against Postgres + Redis (real binary)', { timeout: 400_000 }, () => {
  it('signs up, applies atomically, diffs, exports, runs, logs and deletes', async () => {
    const signup = await me.area(['signup', '--email', 'pg@example.com', '--password-stdin'], {
      input: 'password-123\n',
    })
    expect(signup.code).toBe(0)
    const good = await me.write('good.yaml', `${timerArea('pg-timer')}\n---\n${webhookArea('pg-hook')}`)
    const bad = await me.write(
      'bad.yaml',
      `${timerArea('pg-new')}\n---\n${timerArea('pg-bad', { interval: 'often' })}`,
    )

    const [invalid, unauthenticated] = await Promise.all([
      me.area(['apply', '-f', bad]),
      me.area(['apply', '-f', good], { env: { AREA_TOKEN: 'area_nope' } }),
    ])
    expect(invalid.code).toBe(3)
    expect(invalid.stderr).toMatch(/bad\.yaml:\d+:\d+/)
    expect(unauthenticated.code).toBe(4)

    expect((await me.area(['diff', '-f', good])).code).toBe(2)
    const applied = await me.json<{ results: { name: string; outcome: string }[] }>(['apply', '-f', good])
    expect(applied.code).toBe(0)
    expect(applied.data.results.map((r) => r.outcome)).toEqual(['created', 'created'])

    const exported = await me.write('exported.yaml', (await me.area(['export'])).stdout)
    const [diff, list, created] = await Promise.all([
      me.area(['diff', '-f', exported]),
      me.json<{ name: string }[]>(['get']),
      me.area(['create', '-f', good]),
    ])
    expect(diff.code).toBe(0)
    expect(list.data.map((a) => a.name)).toEqual(['pg-hook', 'pg-timer'])
    expect(created.code).toBe(1)

    const ran = await me.json<{ hookLogId: string }>(['run', 'pg-hook'])
    expect(ran.code).toBe(0)
    const logs = await me.area(['logs', 'pg-hook', '--json'])
    expect(logs.stdout).toContain(ran.data.hookLogId)

    expect((await me.area(['delete', 'pg-timer', '--yes'])).code).toBe(0)
    expect((await me.area(['get', 'pg-timer'])).code).toBe(1)
  })
})
