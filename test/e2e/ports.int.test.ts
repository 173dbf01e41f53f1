/**
 * Roles as separate processes on one host with the default settings (README, "Faults and
 * restarts"): two workers and two schedulers all start although each wants metrics port 9464;
 * a port the operator chose that is taken fails with a message naming its setting, not a raw
 * EADDRINUSE.
 */
import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDaemon } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'
import { freePort } from '../support/redis.js'

const DEFAULT_METRICS_PORT = 9464

/** Holds a port on 0.0.0.0 (where the daemons listen with DATABASE_URL), or undefined if taken. */
async function hold(port: number): Promise<Server | undefined> {
  const server = createServer()
  server.listen(port, '0.0.0.0')
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))])
    return server
  } catch {
    return undefined
  }
}

describe('several roles on one host', () => {
  let topology: Topology
  const held: Server[] = []
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    // The default metrics port is taken, whoever holds it: by this test if it is free.
    const defaultHolder = await hold(DEFAULT_METRICS_PORT)
    if (defaultHolder) held.push(defaultHolder)
    // AREA_METRICS_PORT unset, as with the defaults (the topology sets 0 otherwise).
    topology = await openTopology({ name: 'ports', env: { AREA_METRICS_PORT: '' } })
    await topology.migrate()
  }, 120_000)
  afterAll(async () => {
    await topology?.close()
    for (const server of held) server.close()
  }, 120_000)

  it('starts two workers and two schedulers with the default metrics port taken', async () => {
    const started = await topology.start('worker', 'worker', 'scheduler', 'scheduler')
    const ports = started.map((p) => p.metricsPort)
    expect(new Set(ports).size).toBe(4)
    for (const p of started) {
      expect(p.metricsPort).not.toBe(DEFAULT_METRICS_PORT)
      expect(
        p.logs.some((l) => l.busyPort === DEFAULT_METRICS_PORT && l.setting === 'AREA_METRICS_PORT'),
      ).toBe(true)
      const ready = await fetch(`http://127.0.0.1:${p.metricsPort}/readyz`)
      expect(ready.status).toBe(200)
    }
  }, 180_000)

  it('fails with a message naming AREA_METRICS_PORT when the port it was given is taken', async () => {
    const port = await freePort()
    const holder = await hold(port)
    if (holder) held.push(holder)
    const worker = await startDaemon({
      name: 'worker-busy',
      role: 'worker',
      waitUntilRunning: false,
      env: { ...topology.env, AREA_METRICS_PORT: String(port) },
    })
    expect(await worker.exited).toBe(1)
    expect(worker.stderr()).toMatch(new RegExp(`port ${port} .*already in use \\(AREA_METRICS_PORT\\)`))
    expect(worker.stderr()).not.toMatch(/EADDRINUSE/)
  }, 120_000)

  it('fails with a message naming PORT or --port when the API port is taken', async () => {
    const port = await freePort()
    const holder = await hold(port)
    if (holder) held.push(holder)
    const api = await startDaemon({
      name: 'api-busy',
      role: 'api',
      port,
      waitUntilRunning: false,
      env: topology.env,
    })
    expect(await api.exited).toBe(1)
    expect(api.stderr()).toMatch(/already in use \(PORT or --port\)/)
    expect(api.stderr()).not.toMatch(/EADDRINUSE/)
  }, 120_000)
})
