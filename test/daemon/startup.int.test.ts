/**
 * Starting before Postgres and Redis (docs/architecture.md, "Riding out faults"): `area serve`
 * waits with backoff instead of exiting, `/readyz` says what it waits for and why, one line is
 * logged per dependency waited for and one when ready; past AREA_START_TIMEOUT it exits with an
 * error naming the setting. Real processes, a private Postgres and Redis started after them.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from '../support/api/client.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'
import { type PrivatePostgres, privatePostgres } from '../support/db/private-postgres.js'
import { freePort, type PrivateRedis, privateRedis } from '../support/redis.js'

async function probe(port: number, path: string): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  } catch {
    return undefined
  }
}

describe('starting while Postgres and Redis are down', () => {
  let postgres: PrivatePostgres | undefined
  let redis: PrivateRedis | undefined
  let daemon: DaemonProcess | undefined
  afterAll(async () => {
    await daemon?.stop()
    await redis?.stop()
    await postgres?.destroy()
  }, 60_000)

  it('waits, says why on /readyz, and starts once both are up', async () => {
    postgres = await privatePostgres()
    redis = await privateRedis()
    const port = await freePort()
    daemon = await startDaemon({
      name: 'api-late',
      role: 'api',
      port,
      waitUntilRunning: false,
      env: {
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      },
    })
    const waiting = (dependency: string) => async () => {
      const answer = await probe(port, '/readyz')
      return answer?.status === 503 && (answer.body as { waitingFor?: string }).waitingFor === dependency
        ? answer
        : undefined
    }
    const forPostgres = await waitFor('/readyz to say it waits for postgres', waiting('postgres'), 60_000)
    expect(forPostgres.body).toMatchObject({ status: 'starting', waitingFor: 'postgres' })
    // Where it knocked (host:port, never the password) and why, in words.
    expect(forPostgres.body).toMatchObject({
      endpoint: `127.0.0.1:${new URL(postgres.url).port}`,
      reason: 'connection refused: nothing listens there',
    })
    expect((await probe(port, '/healthz'))?.status).toBe(200)

    await postgres.start()
    const forRedis = await waitFor('/readyz to say it waits for redis', waiting('redis'), 60_000)
    expect(forRedis.body).toMatchObject({ status: 'starting', waitingFor: 'redis' })
    expect(daemon.child.exitCode).toBeNull()

    await redis.start()
    await waitFor(
      'area is running',
      async () => (daemon?.logs.some((l) => l.msg === 'area is running') ? true : undefined),
      60_000,
    )
    await waitFor('/readyz to answer 200', async () =>
      (await probe(port, '/readyz'))?.status === 200 ? true : undefined,
    )
    const messages = daemon.logs.map((l) => String(l.msg))
    expect(messages.filter((m) => m.startsWith('waiting for postgres'))).toHaveLength(1)
    expect(messages.filter((m) => m.startsWith('waiting for redis'))).toHaveLength(1)
    expect(messages.filter((m) => m.includes('reachable after'))).toHaveLength(1)
    const waitLine = daemon.logs.find((l) => String(l.msg).startsWith('waiting for postgres'))
    expect(waitLine).toMatchObject({ level: 40, waitingFor: 'postgres', timeoutSeconds: 120 })
  }, 180_000)

  it('gives up after AREA_START_TIMEOUT with an error naming it', async () => {
    const nothing = await freePort()
    const doomed = await startDaemon({
      name: 'worker-timeout',
      role: 'worker',
      waitUntilRunning: false,
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${nothing}/postgres`,
        REDIS_URL: `redis://127.0.0.1:${nothing}`,
        AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        AREA_START_TIMEOUT: '2',
      },
    })
    expect(await doomed.exited).toBe(1)
    expect(doomed.stderr()).toMatch(/gave up after 2 s waiting for postgres/)
    expect(doomed.stderr()).toMatch(/AREA_START_TIMEOUT/)
    expect(doomed.stderr()).toMatch(/DATABASE_URL/)
  }, 90_000)
})
