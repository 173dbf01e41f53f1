import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { call } from '../support/api/client.js'
import { startDaemon } from '../support/daemon/process.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

function serve(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/dev.js', 'serve', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

describe('area serve configuration', () => {
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
    const dataDir = mkdtempSync(join(tmpdir(), 'area-serve-'))
    try {
      const daemon = await startDaemon({ name: 'all', role: 'all', env: { AREA_DATA_DIR: dataDir } })
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
      expect(await daemon.stop()).toBe(0)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 120_000)
})
