/**
 * Token refresh through openCredentialsForRun, on both drivers, against the local provider: a token
 * expiring within 60 s is refreshed and stored sealed; concurrent readers (two stores on the same
 * Postgres database, i.e. two processes) cause one refresh at the provider; invalid_grant marks
 * the connection refresh_failed with a clear error; an unreachable provider is a retryable error
 * that leaves the connection active.
 */
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../../../src/db/open-postgres.js'
import type { Database } from '../../../../src/db/schema.js'
import { PermanentError, RetryableError } from '../../../../src/engine/errors.js'
import { createRegistry } from '../../../../src/engine/registry.js'
import { createEngine } from '../../../../src/engine/run.js'
import { createConnectionRefresher } from '../../../../src/features/connections/oauth/refresh.js'
import { createSecretBox } from '../../../../src/secrets/secret-box.js'
import { builtinServices } from '../../../../src/services/index.js'
import { syncCatalog } from '../../../../src/store/catalog.js'
import {
  openCredentialsForRun,
  type RefreshConnection,
} from '../../../../src/store/connection-credentials.js'
import { createUser } from '../../../support/db/seed.js'
import { drivers, openTestStore, type TestStore } from '../../../support/db/stores.js'
import { type FakeOAuthProvider, startFakeOAuthProvider } from '../../../support/fakes/oauth-provider.js'
import { githubOAuthEnv } from '../../../support/oauth-env.js'

const registry = createRegistry(builtinServices)

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!check()) throw new Error('the provider was never asked for a refresh')
}
const secrets = createSecretBox(Buffer.alloc(32, 7))

describe.each(drivers)('oauth2 token refresh (%s)', (driver) => {
  let testStore: TestStore
  let provider: FakeOAuthProvider
  let refresh: RefreshConnection
  let userId: string
  let serviceId: string
  let counter = 0
  const db = (): Kysely<Database> => testStore.store.db
  const refreshes = () => provider.grants.filter((g) => g.grantType === 'refresh_token').length

  /** An oauth2 connection as the callback stores it, its access token expiring in `expiresInMs`. */
  async function connect(expiresInMs: number) {
    counter += 1
    const tokens = provider.issueTokens()
    const row = await db()
      .insertInto('user_services')
      .values({
        user_id: userId,
        service_id: serviceId,
        name: `gh-${counter}`,
        kind: 'oauth2',
        credentials_encrypted: secrets.seal(
          JSON.stringify({
            accessToken: tokens.access_token,
            refreshToken: tokens.refresh_token,
            tokenType: 'bearer',
          }),
        ),
        token_expires_at: new Date(Date.now() + expiresInMs),
      })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow()
    return { ...row, accessToken: tokens.access_token, refreshToken: tokens.refresh_token }
  }
  const rowOf = (id: string) =>
    db().selectFrom('user_services').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  beforeAll(async () => {
    provider = await startFakeOAuthProvider({ expiresIn: 3600 })
    testStore = await openTestStore(driver)
    await syncCatalog(db(), registry)
    userId = await createUser(db(), `refresh-${driver}@example.test`)
    serviceId = (
      await db().selectFrom('services').select('id').where('key', '=', 'github').executeTakeFirstOrThrow()
    ).id
    refresh = createConnectionRefresher(
      registry,
      createEngine(registry, githubOAuthEnv(provider)).settingsFor,
    )
  })
  afterAll(async () => {
    await testStore?.dispose()
    await provider?.close()
  })
  beforeEach(() => {
    provider.grants.length = 0
    provider.delayMs = 0
  })

  it('uses a token that is not about to expire as it is', async () => {
    const connection = await connect(10 * 60_000)
    const credentials = await openCredentialsForRun(db(), secrets, connection.id, { refresh })
    expect(credentials.accessToken).toBe(connection.accessToken)
    expect(refreshes()).toBe(0)
  })

  it('refreshes a token expiring within 60 s, stores the new tokens sealed, and uses them', async () => {
    const connection = await connect(30_000)
    const credentials = await openCredentialsForRun(db(), secrets, connection.id, { refresh })
    expect(refreshes()).toBe(1)
    const fresh = provider.accessTokens.at(-1)
    expect(credentials).toMatchObject({ accessToken: fresh, refreshToken: expect.stringMatching(/^ghr_/) })
    expect(credentials.accessToken).not.toBe(connection.accessToken)
    // Rotated: the provider gave a new refresh token, and the old one no longer works.
    expect(credentials.refreshToken).not.toBe(connection.refreshToken)

    const row = await rowOf(connection.id)
    expect(row.status).toBe('active')
    expect(row.credentials_encrypted).not.toContain(fresh)
    expect(JSON.parse(secrets.open(row.credentials_encrypted)).accessToken).toBe(fresh)
    const left = (row.token_expires_at?.getTime() ?? 0) - Date.now()
    expect(left).toBeGreaterThan(3_500_000)

    // Now fresh: the next read does not call the provider.
    expect((await openCredentialsForRun(db(), secrets, connection.id, { refresh })).accessToken).toBe(fresh)
    expect(refreshes()).toBe(1)
  })

  it('refreshes once when several readers (other processes) find the token expiring together', async () => {
    const connection = await connect(-5_000)
    provider.delayMs = 300
    // On Postgres a second pool stands for another process: its own connections, same rows.
    const other = driver === 'postgres' ? openPostgresStore(testStore.location, { poolSize: 4 }) : undefined
    try {
      const stores = [db(), other?.db ?? db()]
      const results = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((i) =>
          openCredentialsForRun(stores[i % 2] as Kysely<Database>, secrets, connection.id, { refresh }),
        ),
      )
      expect(refreshes()).toBe(1)
      const tokens = new Set(results.map((c) => c.accessToken))
      expect([...tokens]).toEqual([provider.accessTokens.at(-1)])
    } finally {
      await other?.close()
    }
  })

  it('holds no database connection while the provider answers: a one-connection store serves other queries meanwhile', async () => {
    const connection = await connect(-5_000)
    provider.delayMs = 1_000
    // PGlite has one connection anyway; on Postgres a pool of one makes the point.
    const single = driver === 'postgres' ? openPostgresStore(testStore.location, { poolSize: 1 }) : undefined
    const store = single?.db ?? db()
    try {
      const finished: string[] = []
      const reading = openCredentialsForRun(store, secrets, connection.id, { refresh }).then(() =>
        finished.push('refresh'),
      )
      await waitUntil(() => provider.grants.some((g) => g.grantType === 'refresh_token'))
      await store.selectFrom('users').select('id').execute()
      finished.push('query')
      await reading
      expect(finished).toEqual(['query', 'refresh'])
    } finally {
      await single?.close()
    }
  })

  it('marks the connection refresh_failed on invalid_grant, and runs fail with how to reconnect', async () => {
    const connection = await connect(10_000)
    provider.revokeRefreshTokens()
    const failure = await openCredentialsForRun(db(), secrets, connection.id, { refresh }).catch(
      (e: unknown) => e,
    )
    expect(failure).toBeInstanceOf(PermanentError)
    expect((failure as PermanentError).message).toContain(
      `connection "${connection.name}" needs to be reconnected: area connections add github --name ${connection.name} --web`,
    )
    expect((failure as PermanentError).message).toContain('invalid_grant')
    expect((failure as PermanentError).message).not.toContain(connection.refreshToken)

    const row = await rowOf(connection.id)
    expect(row.status).toBe('refresh_failed')
    expect(row.status_detail).toContain('invalid_grant')

    // Marked: later runs fail at once, without asking the provider again.
    const calls = refreshes()
    await expect(openCredentialsForRun(db(), secrets, connection.id, { refresh })).rejects.toThrow(
      /needs to be reconnected/,
    )
    expect(refreshes()).toBe(calls)
  })

  it('retries later, leaving the connection active, when the provider cannot be reached', async () => {
    const connection = await connect(10_000)
    const unreachable = createConnectionRefresher(
      registry,
      createEngine(registry, {
        ...githubOAuthEnv(provider),
        AREA_GITHUB_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/token',
      }).settingsFor,
    )
    const failure = await openCredentialsForRun(db(), secrets, connection.id, { refresh: unreachable }).catch(
      (e: unknown) => e,
    )
    expect(failure).toBeInstanceOf(RetryableError)
    expect((failure as Error).message).toContain('could not be reached')
    expect((await rowOf(connection.id)).status).toBe('active')
  })
})
