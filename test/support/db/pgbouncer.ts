/**
 * A PgBouncer of the test's own in front of the shared Postgres, in transaction or session mode,
 * with a small server pool: what a Supabase deployment reaches through its pooler (Supavisor
 * speaks the same protocol). Debian's `pgbouncer` package provides the binary; `.ci/run` installs
 * it. PgBouncer refuses to run as root, so as root it is started as `postgres` (`-u`).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { testServerUrl } from './postgres.js'

export type PoolMode = 'transaction' | 'session'

export interface PgBouncer {
  /** `databaseUrl` with host and port replaced by the bouncer's. */
  url(databaseUrl: string): string
  port: number
  /** The bouncer's own log, for a failure report. */
  log(): Promise<string>
  stop(): Promise<void>
}

export interface PgBouncerOptions {
  mode: PoolMode
  /** Server connections per database and user (PgBouncer's default_pool_size). */
  poolSize: number
}

const binaries = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer']

export function pgBouncerBinary(): string {
  const found = binaries.find((path) => existsSync(path))
  if (!found) {
    throw new Error(
      'pgbouncer is not installed: `apt-get install pgbouncer` (Debian), or run `.ci/run`, which installs it',
    )
  }
  return found
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const server = new URL(testServerUrl())
  const dir = await mkdtemp(join(tmpdir(), 'area-pgbouncer-'))
  const port = await freePort()
  const user = decodeURIComponent(server.username || 'postgres')
  await writeFile(join(dir, 'users.txt'), `"${user}" ""\n`)
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      `pool_mode = ${options.mode}`,
      `default_pool_size = ${options.poolSize}`,
      'max_client_conn = 2000',
      'unix_socket_dir =',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      // node-postgres sends none of these by default; a client library that does must not be refused.
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
  )
  const root = process.getuid?.() === 0
  if (root) {
    const { uid, gid } = await postgresIds()
    for (const file of ['', 'users.txt', 'pgbouncer.ini']) await chown(join(dir, file), uid, gid)
  }
  const child = spawn(pgBouncerBinary(), [...(root ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const log = () => readFile(join(dir, 'pgbouncer.log'), 'utf8').catch(() => stderr)
  const url = (databaseUrl: string) => {
    const target = new URL(databaseUrl)
    target.hostname = '127.0.0.1'
    target.port = String(port)
    return target.toString()
  }
  try {
    await waitUntilAccepting(url(testServerUrl()), child)
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`pgbouncer did not start: ${(error as Error).message}\n${await log()}`)
  }
  return {
    port,
    url,
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGINT')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8')
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'))
  if (!line) throw new Error('PgBouncer refuses to run as root and there is no `postgres` user to run it as')
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

async function waitUntilAccepting(url: string, child: ReturnType<typeof spawn>): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`)
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.query('select 1')
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      await client.end().catch(() => {})
    }
  }
}
