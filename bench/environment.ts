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

async function withClient(url: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await run(client)
  } finally {
    await client.end()
  }
}
