/**
 * AREA_POLL_CONCURRENCY and AREA_POLL_SLOT_LEASE_SECONDS (src/daemon/config-polling.ts): defaults,
 * values read, and bad values listed with the other problems at start.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadDaemonConfig } from '../../src/daemon/config.js'

const base = {
  DATABASE_URL: 'postgres://127.0.0.1:5432/unused',
  AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
}
const load = (env: Record<string, string>) => loadDaemonConfig({ ...base, ...env }, { roles: ['all'] })

describe('polling settings', () => {
  it('default to 16 polls at once and a 30 s slot lease', () => {
    expect(load({}).polling).toEqual({ concurrency: 16, slotLeaseSeconds: 30 })
  })

  it('are read from the environment', () => {
    expect(load({ AREA_POLL_CONCURRENCY: '4', AREA_POLL_SLOT_LEASE_SECONDS: '120' }).polling).toEqual({
      concurrency: 4,
      slotLeaseSeconds: 120,
    })
  })

  it('refuse values out of range, naming the variable and the range', () => {
    let problems: string[] = []
    try {
      load({ AREA_POLL_CONCURRENCY: '0', AREA_POLL_SLOT_LEASE_SECONDS: 'soon' })
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems
    }
    expect(problems).toEqual([
      'AREA_POLL_CONCURRENCY must be a whole number from 1 to 1000 (got "0")',
      'AREA_POLL_SLOT_LEASE_SECONDS must be a whole number from 5 to 86400 (got "soon")',
    ])
  })
})
