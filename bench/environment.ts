/**
 * What the benchmarks run against: a fresh Postgres database (created, migrated, dropped) and a
 * unique Redis key prefix (deleted afterwards), on the servers of this machine.
 */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'

export const POSTGRES_SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface BenchDatabase {
  url: string
  drop(): Promise<void>
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `area_bench_${process.pid}_${randomBytes(4).toString('hex')}`
  await withClient(POSTGRES_SERVER_URL, (client) =>
    client.query(`create database ${pg.escapeIdentifier(name)}`),
  )
  const url = new URL(POSTGRES_SERVER_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () =>
      withClient(POSTGRES_SERVER_URL, (client) =>
        client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
      ),
  }
}

/** The server's version and the settings that decide whether a commit is durable. */
export async function describePostgres(): Promise<{
  version: string
  synchronousCommit: string
  fsync: string
}> {
  let described = { version: '', synchronousCommit: '', fsync: '' }
  await withClient(POSTGRES_SERVER_URL, async (client) => {
    const setting = async (name: string) => (await client.query(`show ${name}`)).rows[0]?.[name] as string
    described = {
      version: await setting('server_version'),
      synchronousCommit: await setting('synchronous_commit'),
      fsync: await setting('fsync'),
    }
  })
  return described
}

export function benchRedisPrefix(): string {
  return `area-bench-${process.pid}-${randomBytes(4).toString('hex')}`
}

/** Deletes every key under `prefix`. */
export async function deleteRedisPrefix(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  let deleted = 0
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<
      string[]
    >) {
      if (keys.length) deleted += await redis.unlink(...keys)
    }
  } finally {
    redis.disconnect()
  }
  return deleted
}

export async function redisVersion(): Promise<string> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  try {
    const info = await redis.info('server')
    return /redis_version:(\S+)/.exec(info)?.[1] ?? ''
  } finally {
    redis.disconnect()
  }
}

/** INFO memory's used_memory: the whole server's, in bytes. */
export async function redisUsedMemory(): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  try {
    return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0)
  } finally {
    redis.disconnect()
  }
}

/** The keys under `prefix` and what MEMORY USAGE says they take, in bytes. */
export async function prefixMemory(prefix: string): Promise<{ keys: number; bytes: number }> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  let keys = 0
  let bytes = 0
  try {
    for await (const batch of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<
      string[]
    >) {
      const pipeline = redis.pipeline()
      for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', '0')
      for (const [, usage] of (await pipeline.exec()) ?? []) bytes += Number(usage ?? 0)
      keys += batch.length
    }
  } finally {
    redis.disconnect()
  }
  return { keys, bytes }
}

/** What one figure runs against: a database of its own, its Redis prefixes, an encryption key. */
export interface BenchEnvironment {
  databaseUrl: string
  encryptionKey: Buffer
  /** A fresh Redis prefix, deleted with the environment. */
  prefix(): string
  /** A daemon process's environment on this database and `prefix`. */
  daemonEnv(prefix: string): NodeJS.ProcessEnv
}

const cleanups = new Set<() => Promise<void>>()

/**
 * Runs `figure` in a fresh environment, then drops its database and deletes its prefixes, also
 * when it fails; cleanUpEverything does the same for environments in use (on Ctrl-C).
 */
export async function withBenchEnvironment<T>(figure: (env: BenchEnvironment) => Promise<T>): Promise<T> {
  const database = await createBenchDatabase()
  const prefixes: string[] = []
  const encryptionKey = randomBytes(32)
  const cleanup = async () => {
    cleanups.delete(cleanup)
    for (const prefix of prefixes) await deleteRedisPrefix(prefix)
    await database.drop()
  }
  cleanups.add(cleanup)
  try {
    return await figure({
      databaseUrl: database.url,
      encryptionKey,
      prefix: () => {
        const prefix = benchRedisPrefix()
        prefixes.push(prefix)
        return prefix
      },
      daemonEnv: (prefix) => ({
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL,
        AREA_REDIS_PREFIX: prefix,
        AREA_ENCRYPTION_KEY: encryptionKey.toString('base64'),
        AREA_METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
        // Server mode refuses loopback and closes signup by default; the bench's sinks are on
        // 127.0.0.1, so it opts in as an operator would.
        AREA_HTTP_ALLOW_PRIVATE: 'loopback',
        AREA_SIGNUP: 'open',
      }),
    })
  } finally {
    await cleanup()
  }
}

export async function cleanUpEverything(): Promise<void> {
  for (const cleanup of [...cleanups]) await cleanup().catch(() => undefined)
}

async function withClient(url: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await run(client)
  } finally {
    await client.end()
  }
}
