/**
 * Invariant 3 (docs/architecture.md, "Invariants"): with several scheduler replicas each polling
 * slot fires once. Three scheduler processes and two workers share one Postgres and one Redis
 * over 200 polling AREAs.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/db/open.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'
import { createUser, seedPollingAreas } from '../support/db/seed.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

const hooks = 200
const intervalSeconds = 2
const runMs = 20_000

describe('three schedulers, two workers, 200 polling AREAs', () => {
  let topology: Topology
  let store: Store
  let sink: HttpSink
  let processes: DaemonProcess[]
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({ name: 'schedulers' })
    store = await topology.migrate()
    sink = await startHttpSink()
    const userId = await createUser(store.db, 'schedulers@example.test')
    await seedPollingAreas(store.db, {
      userId,
      count: hooks,
      prefix: 'tick',
      intervalSeconds,
      dueAt: new Date(Date.now() + 3_000),
      sinkUrl: `${sink.url}/tick`,
    })
    processes = await topology.start('scheduler', 'scheduler', 'scheduler', 'worker', 'worker')
  }, 180_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 120_000)

  it('fires each slot once and runs each event once', async () => {
    await new Promise((resolve) => setTimeout(resolve, runMs))
    // Stop the schedulers, then let the workers finish what was enqueued.
    await Promise.all(processes.filter((p) => p.name.startsWith('scheduler')).map((p) => p.stop()))
    const deadline = Date.now() + 60_000
    for (;;) {
      const { rows } = await sql<{
        left: number
      }>`select count(*) as left from area.hook_logs where not processed`.execute(store.db)
      if (rows[0]?.left === 0 || Date.now() > deadline) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }

    const { rows: perSlot } = await sql<{ hook_job_id: string; slot: string; n: number }>`
      select hook_job_id, event_payload->>'scheduled_at' as slot, count(*) as n
      from area.hook_logs group by 1, 2`.execute(store.db)
    const events = perSlot.reduce((sum, r) => sum + r.n, 0)
    expect(perSlot.every((r) => r.n === 1)).toBe(true)
    // Every AREA fired, several slots each: the schedulers really shared the work.
    const perHook = new Map<string, number>()
    for (const row of perSlot) perHook.set(row.hook_job_id, (perHook.get(row.hook_job_id) ?? 0) + 1)
    expect(perHook.size).toBe(hooks)
    expect(Math.min(...perHook.values())).toBeGreaterThanOrEqual(
      Math.floor(runMs / 1000 / intervalSeconds) - 4,
    )

    const { rows: status } = await sql<{ status: string; n: number }>`
      select status, count(*) as n from area.hook_logs group by status`.execute(store.db)
    expect(status).toEqual([{ status: 'done', n: events }])
    // One request per event, never two for the same event.
    const keys = sink.requests.map((r) => String(r.headers['idempotency-key']))
    expect(keys).toHaveLength(events)
    expect(new Set(keys).size).toBe(events)
    const claimedBy = processes
      .filter((p) => p.name.startsWith('scheduler'))
      .map((p) => p.logs.filter((l) => l.msg === 'area is running').length)
    expect(claimedBy).toEqual([1, 1, 1])
  }, 180_000)
})
