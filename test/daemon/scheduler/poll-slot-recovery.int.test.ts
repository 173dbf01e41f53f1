/**
 * Polling slots survive the loss of the queue (docs/architecture.md, "Claim-based scheduling"):
 * a claimed slot is in Postgres (`poll_slots`) before it is enqueued, so when Redis loses its
 * data, or the in-process queue dies with its process, the scheduler's sweep enqueues the slot
 * again after its lease, and it is polled exactly once.
 */

import { Redis } from 'ioredis'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AreaMetrics, createMetrics } from '../../../src/daemon/metrics.js'
import {
  createQueue,
  type JobConsumer,
  type PollJobData,
  type QueueSetup,
} from '../../../src/daemon/queue/index.js'
import { type RunningScheduler, startScheduler } from '../../../src/daemon/scheduler/scheduler.js'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { silentLogger } from '../../../src/engine/types.js'
import { openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { seedPollingAreas } from '../../support/db/seed.js'
import { type PrivateRedis, privateRedis } from '../../support/redis.js'

const settings = { tickMs: 50, sweepEveryMs: 100, pollSlotLeaseSeconds: 1 }
const eventually = { timeout: 20_000, interval: 50 }

describe.each([
  { name: 'BullMQ, Redis flushed', driver: 'postgres' as const, redis: true },
  { name: 'in-process queue, lost with its process', driver: 'pglite' as const, redis: false },
])('a claimed polling slot whose job is lost ($name)', ({ driver, redis }) => {
  let harness: WorkerHarness
  let server: PrivateRedis | undefined
  const closers: (() => Promise<void>)[] = []

  beforeAll(async () => {
    harness = await openWorkerHarness(driver)
    if (redis) {
      server = await privateRedis()
      await server.start()
    }
  })
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
  })
  afterAll(async () => {
    await server?.stop()
    await harness?.dispose()
  })

  const openQueue = (): QueueSetup => {
    const setup = createQueue(redis ? { redisUrl: server!.url, prefix: 'area-test' } : {})
    closers.push(() => setup.jobs.close())
    return setup
  }
  let metrics: AreaMetrics
  const runScheduler = (queue: QueueSetup): RunningScheduler => {
    metrics = createMetrics({ queue: queue.jobs, db: harness.testStore.store.db })
    const scheduler = startScheduler(
      { db: harness.testStore.store.db, queue: queue.jobs, logger: silentLogger, metrics },
      settings,
    )
    closers.push(() => scheduler.stop())
    return scheduler
  }

  it('is polled after the sweep, exactly once', async () => {
    const db = harness.testStore.store.db
    // One slot due now; the next an hour away.
    await seedPollingAreas(db, {
      userId: harness.userId,
      count: 1,
      prefix: `lost-${driver}`,
      intervalSeconds: 3_600,
      dueAt: new Date(Date.now() - 1_000),
      sinkUrl: 'http://127.0.0.1:9/unused',
    })
    const hookJob = await db.selectFrom('hook_jobs').select(['id', 'next_run_at']).executeTakeFirstOrThrow()
    const slot: PollJobData = { hookJobId: hookJob.id, slotMs: hookJob.next_run_at!.getTime() }

    // The scheduler claims the slot and enqueues it; no worker is running yet.
    let queue = openQueue()
    const first = runScheduler(queue)
    await vi.waitFor(async () => expect((await queue.jobs.counts()).waiting).toBe(1), eventually)
    expect(first.stats.slotsEnqueued).toBe(1)
    expect(await pendingSlots()).toEqual([slot])

    // The queue loses the job before any worker takes it.
    if (redis) {
      const admin = new Redis(server!.url)
      await admin.flushall()
      admin.disconnect()
    } else {
      // The process died: its in-process queue is gone, a new one starts empty.
      await first.stop()
      await queue.jobs.close()
      queue = openQueue()
      runScheduler(queue)
    }
    expect((await queue.jobs.counts()).waiting).toBe(0)

    // A worker starts; the sweep finds the slot unpolled after its lease and enqueues it again.
    const polls: PollJobData[] = []
    const consumer: JobConsumer = queue.createConsumer({
      poll: async (data, ctx) => {
        polls.push(data)
        await pollHookJob(harness.deps(), data, ctx)
      },
      area_execution: async () => {},
    })
    closers.push(() => consumer.close(1_000))
    await consumer.start()
    await vi.waitFor(async () => expect(await pendingSlots()).toEqual([]), eventually)

    // Several more leases and sweeps go by: nothing runs it again.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(polls).toEqual([slot])
    const events = await db
      .selectFrom('hook_logs')
      .select(['hook_job_id', 'delivery_id'])
      .where('hook_job_id', '=', hookJob.id)
      .execute()
    expect(events).toHaveLength(1)
    expect(harness.enqueued).toHaveLength(1)
    // Operators see the recovery in /metrics.
    const reenqueued = await metrics.pollSlotsReenqueued.get()
    expect(reenqueued.values[0]?.value).toBeGreaterThanOrEqual(1)
  })

  async function pendingSlots(): Promise<PollJobData[]> {
    const { rows } = await sql<{ hook_job_id: string; slot_ms: string }>`
      select hook_job_id, slot_ms::text as slot_ms from area.poll_slots`.execute(harness.testStore.store.db)
    return rows.map((row) => ({ hookJobId: row.hook_job_id, slotMs: Number(row.slot_ms) }))
  }
})
