/**
 * `area serve`'s configuration: what it refuses to start with (exit 3, saying what to set), and
 * the single-process deployment on a data directory.
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { call } from '../support/api/client.js'
import { serve } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'

describe('area serve configuration', () => {
  let topology: Topology | undefined
  printLogsOnFailure(() => [topology])

  it('refuses a single role without REDIS_URL and DATABASE_URL, saying what to set', () => {
    const result = serve(['--role=worker'], {})
    expect(result.status).toBe(3)
    expect(result.stderr).toContain('REDIS_URL is not set')
    expect(result.stderr).toContain('--role=all')
    expect(result.stderr).toContain('DATABASE_URL is not set')
  })

  it('refuses an unknown role and a bad value, changing nothing', () => {
    expect(serve(['--role=cook'], {}).stderr).toContain('unknown role "cook"')
    const bad = serve(['--role=all'], { AREA_WORKER_CONCURRENCY: 'lots', AREA_ENCRYPTION_KEY: 'short' })
    expect(bad.status).toBe(3)
    expect(bad.stderr).toContain('AREA_WORKER_CONCURRENCY must be a whole number')
    expect(bad.stderr).toContain('AREA_ENCRYPTION_KEY must be 32 bytes')
  })

  it('runs every role embedded with a generated key file of mode 0600', async () => {
    topology = await openTopology({ name: 'serve', embedded: true })
    const dataDir = topology.dataDir!
    try {
      const [daemon] = await topology.start('all')
      const ready = await call<{ status: string; checks: Record<string, string> }>(
        daemon.url,
        'GET',
        '/readyz',
      )
      expect(ready).toEqual({
        status: 200,
        body: { status: 'ready', checks: { database: 'ok', queue: 'ok' } },
      })
      expect(statSync(join(dataDir, 'encryption.key')).mode & 0o777).toBe(0o600)
      expect(daemon.logs.find((l) => l.msg === 'area is running')).toMatchObject({
        queue: 'memory',
        database: 'pglite',
      })
      // One start line says what outgoing requests may reach and who may sign up (a warning
      // when wider than a server's default).
      expect(daemon.logs.filter((l) => 'outgoing' in l)).toEqual([
        expect.objectContaining({
          level: 40,
          outgoing: 'loopback',
          signup: 'open',
          msg: expect.stringMatching(/^outgoing requests may also reach loopback \(embedded mode\)/),
        }),
      ])
      expect(await daemon.stop()).toBe(0)
    } finally {
      await topology.close()
    }
  }, 120_000)
})
