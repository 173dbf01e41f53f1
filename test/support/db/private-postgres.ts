/**
 * A Postgres server of the test's own (initdb into a temp directory, pg_ctl on a free port), for
 * tests that stop, restart or start it late: the shared server on 5432 is never touched. Trust
 * authentication, user `postgres`, loopback only. When the tests run as root (containers), the
 * server runs as the `postgres` system user, since Postgres refuses to run as root.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from '../redis.js'

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string
  port: number
  /** Starts the server (after `stop`, or for the first time) and waits until it takes connections. */
  start(): Promise<void>
  /** `pg_ctl stop -m <mode>`: fast ends sessions (57P01), immediate drops them without a word. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>
  /** `pg_ctl restart -m <mode>`, waiting until the server is back. */
  restart(mode?: 'fast' | 'immediate'): Promise<void>
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>
}

/** The directory of initdb and pg_ctl: pg_config's, else the newest /usr/lib/postgresql/<v>/bin. */
function binDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
    if (existsSync(join(dir, 'initdb'))) return dir
  } catch {
    // No pg_config on PATH: look where Debian and Ubuntu install the server.
  }
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (!versions[0]) throw new Error('initdb not found: install the Postgres server (pg_config --bindir)')
  return join(root, versions[0], 'bin')
}

/** The user to run the server as when this process is root (Postgres refuses root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
  return { uid, gid }
}

function run(command: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(user ?? {}),
      // pg_ctl's server inherits this; LANG=C keeps initdb from needing a locale.
      env: { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C' },
    })
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`)),
    )
  })
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()
  const user = serverUser()
  const dir = await mkdtemp(join(tmpdir(), 'area-pg-'))
  const data = join(dir, 'data')
  if (user) {
    await chown(dir, user.uid, user.gid)
    await chmod(dir, 0o700)
  }
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync'], user)
  const port = await freePort()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  // Sockets in the temp directory, TCP on loopback only; fsync off: the data is thrown away.
  const options = `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`
  const pgCtl = (args: string[]) =>
    run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...args], user)

  async function ready(): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const client = new pg.Client({ connectionString: url })
      client.on('error', () => {})
      try {
        await client.connect()
        await client.query('select 1')
        await client.end()
        return
      } catch {
        await client.end().catch(() => {})
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    throw new Error(`the private Postgres on port ${port} did not take connections`)
  }

  let running = false
  return {
    url,
    port,
    async start() {
      await pgCtl(['-o', options, 'start'])
      running = true
      await ready()
    },
    async stop(mode = 'fast') {
      if (!running) return
      await pgCtl(['-m', mode, 'stop'])
      running = false
    },
    async restart(mode = 'fast') {
      await pgCtl(['-m', mode, '-o', options, 'restart'])
      running = true
      await ready()
    },
    async destroy() {
      if (running) await pgCtl(['-m', 'immediate', 'stop']).catch(() => {})
      running = false
      await rm(dir, { recursive: true, force: true })
    },
  }
}
