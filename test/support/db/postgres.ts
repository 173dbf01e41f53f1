/**
 * Postgres databases for tests: each test file or suite creates one of its own on the local server
 * and drops it at the end.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export interface TestDatabase {
  /** Connection string of the new, empty database. */
  url: string
  /** Drops the database, closing any connection still open on it. */
  drop(): Promise<void>
}

/** The server's maintenance database, from which test databases are created and dropped. */
export function testServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEST_DATABASE_URL ?? `postgres://${env.PGUSER ?? 'postgres'}@127.0.0.1:5432/test`
}

/**
 * Creates a uniquely named database, so that test files run in parallel without sharing state
 * and leave nothing behind once dropped.
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(-63)
  const server = testServerUrl()
  await withClient(server, (client) => client.query(`create database ${pg.escapeIdentifier(name)}`))
  const url = new URL(server)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () =>
      withClient(server, (client) =>
        client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
      ),
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
