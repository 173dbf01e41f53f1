/**
 * The `area serve --role=all` a CLI test file talks to, on either store: Postgres + Redis (a
 * database, a Redis prefix and an encryption key of its own) or the embedded default (a data
 * directory of its own, copied from the run's migrated template by startDaemon). `stop()` removes
 * what it made, even when the start failed half way.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DaemonProcess, startDaemon } from '../daemon/process.js'
import { createTestDatabase, type TestDatabase } from '../db/postgres.js'
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../redis.js'

export type TestServerStore = 'embedded' | 'postgres+redis'

export interface TestServer {
  daemon: DaemonProcess
  url: string
  /** The Postgres database, on 'postgres+redis': for tests that read the tables themselves. */
  database: TestDatabase | undefined
  stop(): Promise<void>
}

export interface TestServerOptions {
  /** Names the daemon, the database and the Redis prefix: unique per test file. */
  name: string
  store: TestServerStore
  /** More settings of the daemon (LOG_LEVEL, opt-ins…). */
  env?: Record<string, string>
  startTimeoutMs?: number
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const made: { dataDir?: string; database?: TestDatabase; prefix?: string; daemon?: DaemonProcess } = {}
  const stop = async () => {
    await made.daemon?.stop()
    await made.database?.drop()
    if (made.prefix) await deleteKeys(made.prefix)
    if (made.dataDir) await rm(made.dataDir, { recursive: true, force: true })
  }
  try {
    let env: Record<string, string>
    if (options.store === 'postgres+redis') {
      made.database = await createTestDatabase(options.name.replaceAll('-', '_'))
      made.prefix = uniquePrefix(options.name)
      env = {
        DATABASE_URL: made.database.url,
        REDIS_URL: sharedRedisUrl,
        AREA_REDIS_PREFIX: made.prefix,
        AREA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
      }
    } else {
      made.dataDir = await mkdtemp(join(tmpdir(), `area-${options.name}-data-`))
      env = { AREA_DATA_DIR: made.dataDir }
    }
    made.daemon = await startDaemon({
      name: options.name,
      role: 'all',
      env: { ...env, ...options.env },
      startTimeoutMs: options.startTimeoutMs,
    })
    return { daemon: made.daemon, url: made.daemon.url, database: made.database, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
