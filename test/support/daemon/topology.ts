/**
 * A deployment of `area serve` processes for the end-to-end tests, as the Helm chart runs one: a
 * Postgres database and a Redis key prefix of its own, one environment every role shares, and
 * processes started by role and named after it (`api-1`, `worker-2`…). A test starts roles,
 * stops or kills one (DaemonProcess.stop and .kill), reads the database through a store, and
 * closes it all at the end. printLogsOnFailure shows what each process logged when a test fails:
 * a CI run has nothing else to go on.
 *
 * `embedded: true` is the single-process deployment instead: every role in one process on a data
 * directory of its own (PGlite and the in-process queue), no Postgres, no Redis.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach } from 'vitest'
import { migrate } from '../../../src/db/migrate.js'
import { openStore, type Store } from '../../../src/db/open.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { builtinServices } from '../../../src/services/index.js'
import { syncCatalog } from '../../../src/store/catalog.js'
import { createTestDatabase, type TestDatabase } from '../db/postgres.js'
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../redis.js'
import { type DaemonProcess, startDaemon } from './process.js'

/** Leases short enough that a killed worker's event is taken over within seconds. */
export const shortLeases = { AREA_LEASE_SECONDS: '5', AREA_JOB_LOCK_MS: '3000' }

export interface TopologyOptions {
  /** Names the database and the Redis key prefix. */
  name: string
  /** Default: the shared server, whose keys under the topology's prefix are deleted at close. */
  redisUrl?: string
  /** A database of the test's own (a private Postgres it restarts); default: a new one on the shared server. */
  databaseUrl?: string
  /** Variables every process gets on top of the topology's own (they win). */
  env?: Record<string, string>
  /** How long each process may take to say "area is running"; default 60 s. */
  startTimeoutMs?: number
  /** One process on a data directory of its own, without Postgres and Redis. */
  embedded?: boolean
  /**
   * Variables derived from the topology's database URL, e.g. DATABASE_URL through a pooler and
   * DATABASE_DIRECT_URL beside it. The test's own store() still connects directly.
   */
  databaseEnv?: (directUrl: string) => Record<string, string>
}

export interface Topology {
  /** The data directory; undefined unless embedded. */
  dataDir: string | undefined
  /** The environment every process of the topology gets (for a process started by hand). */
  env: Record<string, string>
  /** Every process started, in order, running or not. */
  processes: DaemonProcess[]
  /**
   * Starts one process per role given, all at once, and resolves when each says it is running.
   * If one fails to start, the others are killed before the error.
   */
  start<Roles extends string[]>(...roles: Roles): Promise<{ [K in keyof Roles]: DaemonProcess }>
  /** The processes of `role` that have not exited, in start order. */
  running(role: string): DaemonProcess[]
  /**
   * A store on the database (opened on first use, closed by close()), to seed it and to read what
   * the processes wrote.
   */
  store(): Promise<Store>
  /** What the chart's migration Job does, and the catalog sync: so that a test can seed first. */
  migrate(): Promise<Store>
  /** The last lines each process logged, for a failure report. */
  logs(): string
  /**
   * Stops every running process (SIGTERM, as the chart's pods end), then closes the store and
   * drops the database, the Redis keys or the data directory.
   */
  close(): Promise<void>
}

export async function openTopology(options: TopologyOptions): Promise<Topology> {
  const redisUrl = options.redisUrl ?? sharedRedisUrl
  const prefix = uniquePrefix(options.name)
  let database: TestDatabase | undefined
  let dataDir: string | undefined
  if (options.embedded) dataDir = await mkdtemp(join(tmpdir(), `area-${options.name}-`))
  else if (options.databaseUrl) database = { url: options.databaseUrl, drop: async () => {} }
  else database = await createTestDatabase(`area_e2e_${options.name}`)

  const env = {
    ...(database
      ? {
          DATABASE_URL: database.url,
          REDIS_URL: redisUrl,
          AREA_REDIS_PREFIX: prefix,
          AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          AREA_SCHEDULER_TICK_MS: '200',
          ...options.databaseEnv?.(database.url),
          // Server mode allows polling every 30 s at most; these tests tick every second.
          AREA_MIN_POLL_INTERVAL_SECONDS: '1',
        }
      : { AREA_DATA_DIR: dataDir as string }),
    ...options.env,
  }
  const processes: DaemonProcess[] = []
  const started = new Map<string, number>()
  let store: Store | undefined

  const topology: Topology = {
    dataDir,
    env,
    processes,
    async start(...roles) {
      const names = roles.map((role) => {
        const n = (started.get(role) ?? 0) + 1
        started.set(role, n)
        return `${role}-${n}`
      })
      const results = await Promise.allSettled(
        roles.map((role, i) =>
          startDaemon({ name: names[i]!, role, env, startTimeoutMs: options.startTimeoutMs }),
        ),
      )
      const list = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
      processes.push(...list)
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed) {
        await Promise.all(list.map((p) => p.kill()))
        throw failed.reason
      }
      return list as { [K in keyof typeof roles]: DaemonProcess }
    },
    running: (role) =>
      processes.filter((p) => p.role === role && p.child.exitCode === null && p.child.signalCode === null),
    async store() {
      if (!database) throw new Error('An embedded topology has no database of its own to open')
      store ??= await openStore({ databaseUrl: database.url, poolSize: 2 })
      return store
    },
    async migrate() {
      const migrated = await topology.store()
      await migrate(migrated)
      await syncCatalog(migrated.db, createRegistry(builtinServices))
      return migrated
    },
    logs: () => processes.map(describeProcess).join('\n\n'),
    async close() {
      await Promise.all(processes.map((p) => p.stop()))
      await store?.close()
      await database?.drop()
      if (database && redisUrl === sharedRedisUrl) await deleteKeys(prefix)
      if (dataDir) await rm(dataDir, { recursive: true, force: true })
    },
  }
  return topology
}

const reportedLines = 40

function describeProcess(p: DaemonProcess): string {
  const exit = p.child.exitCode ?? p.child.signalCode ?? 'running'
  const lines = p.logs.slice(-reportedLines).map((line) => JSON.stringify(line))
  return `${p.name} (${exit}), its last ${lines.length} of ${p.logs.length} log lines:\n${lines.join('\n')}`
}

/**
 * Registers, in the calling suite, a report of every process's last log lines when one of its
 * tests fails; `topologies` gives those the test ran (undefined entries are skipped).
 */
export function printLogsOnFailure(topologies: () => (Topology | undefined)[]): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      for (const topology of topologies()) {
        if (topology?.processes.length) console.error(topology.logs())
      }
    })
  })
}
