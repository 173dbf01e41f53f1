/**
 * Polls and executions queue apart (docs/architecture.md, "Claim-based scheduling"): with every
 * execution slot of the worker held by slow reactions and more executions waiting, a timer's
 * slot is still polled and its event recorded at once, on BullMQ and on the in-process queue.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createQueue, type QueueSetup } from '../../../src/daemon/queue/index.js'
import { startScheduler } from '../../../src/daemon/scheduler/scheduler.js'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { silentLogger } from '../../../src/engine/types.js'
import { openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { seedPollingAreas } from '../../support/db/seed.js'
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../../support/redis.js'

const executionSlots = 2
const backlog = 6

describe.each([
  { name: 'in-process queue, embedded database', driver: 'pglite' as const, redis: false },
  { name: 'BullMQ, Postgres', driver: 'postgres' as const, redis: true },
])('a timer while the executions are backed up ($name)', ({ driver, redis }) => {
  let harness: WorkerHarness
  let setup: QueueSetup
  const prefix = uniquePrefix('poll-lane')

  beforeAll(async () => {
    harness = await openWorkerHarness(driver)
    setup = createQueue({
      ...(redis ? { redisUrl: sharedRedisUrl, prefix } : {}),
      concurrency: executionSlots,
      pollConcurrency: 1,
    })
  })
  afterAll(async () => {
    await setup?.jobs.close()
    if (redis) await deleteKeys(prefix)
    await harness?.dispose()
  })

  it('is polled and its event recorded while every execution slot is held', async () => {
    const db = harness.testStore.store.db
    // Reactions that hang until the end of the test: the executions' backlog never drains.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const executionsStarted: string[] = []
    const consumer = setup.createConsumer({
      area_execution: async (data) => {
        executionsStarted.push(data.hookLogId)
        await held
      },
      poll: (data, ctx) => pollHookJob(harness.deps(), data, ctx).then(() => {}),
    })
    await consumer.start()
    const scheduler = startScheduler({ db, queue: setup.jobs, logger: silentLogger }, { tickMs: 50 })
    try {
      await setup.jobs.enqueueExecutions(
        Array.from({ length: executionSlots + backlog }, (_, i) => ({
          hookLogId: `slow-${i}`,
          areaActionId: 'action',
        })),
      )
      await vi.waitFor(() => expect(executionsStarted).toHaveLength(executionSlots), { timeout: 10_000 })

      const dueAt = new Date()
      await seedPollingAreas(db, {
        userId: harness.userId,
        count: 1,
        prefix: `timer-${driver}`,
        intervalSeconds: 3_600,
        dueAt,
        sinkUrl: 'http://127.0.0.1:9/unused',
      })
      const event = await vi.waitFor(
        async () => {
          const row = await db.selectFrom('hook_logs').select(['detected_at']).executeTakeFirst()
          expect(row).toBeDefined()
          return row!
        },
        { timeout: 15_000, interval: 50 },
      )
      // Recorded while the executions were still all held and queued: it did not wait for them.
      expect(executionsStarted).toHaveLength(executionSlots)
      expect((await setup.jobs.counts()).waiting).toBeGreaterThanOrEqual(backlog)
      // A generous bound, not a speed target: seconds, where waiting behind the backlog is forever.
      expect(event.detected_at.getTime() - dueAt.getTime()).toBeLessThan(10_000)
      expect(harness.enqueued).toHaveLength(1)
    } finally {
      release()
      await scheduler.stop()
      await consumer.close(5_000)
    }
  })
})
