/**
 * A claimed polling slot whose enqueue fails (Redis away) stays in `poll_slots`, marked as not
 * enqueued, and the next sweep enqueues it without waiting for its lease to run out
 * (docs/architecture.md, "Claim-based scheduling"). Embedded path: PGlite and the in-process queue.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createMemoryQueue } from '../../../src/daemon/queue/memory.js'
import { type JobQueue, type PollJobData, QueueUnavailableError } from '../../../src/daemon/queue/types.js'
import { startScheduler } from '../../../src/daemon/scheduler/scheduler.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { silentLogger } from '../../../src/engine/types.js'
import { builtinServices } from '../../../src/services/index.js'
import { syncCatalog } from '../../../src/store/catalog.js'
import { createUser, seedPollingAreas } from '../../support/db/seed.js'
import { openTestStore, type TestStore } from '../../support/db/stores.js'

describe('a polling slot whose enqueue failed', () => {
  let testStore: TestStore
  const queue = createMemoryQueue()

  beforeAll(async () => {
    testStore = await openTestStore('pglite')
    await syncCatalog(testStore.store.db, createRegistry(builtinServices))
  })
  afterAll(async () => {
    await queue.close()
    await testStore.dispose()
  })

  it('is enqueued by the next sweep, long before its lease runs out', async () => {
    const db = testStore.store.db
    const userId = await createUser(db, 'enqueue-failure@example.test')
    await seedPollingAreas(db, {
      userId,
      count: 1,
      prefix: 'redis-away',
      intervalSeconds: 3_600,
      dueAt: new Date(Date.now() - 1_000),
      sinkUrl: 'http://127.0.0.1:9/unused',
    })
    const hookJob = await db.selectFrom('hook_jobs').select(['id', 'next_run_at']).executeTakeFirstOrThrow()
    // Redis is away for the claim's enqueue, and back for the sweep.
    const attempts: PollJobData[][] = []
    const flaky: JobQueue = {
      ...queue,
      async enqueuePolls(jobs) {
        attempts.push([...jobs])
        throw new QueueUnavailableError('Redis at redis://127.0.0.1:6379 is unreachable')
      },
    }
    const polls: PollJobData[] = []
    const consumer = queue.createConsumer({
      poll: async (data) => {
        polls.push(data)
      },
      area_execution: async () => {},
    })
    await consumer.start()
    const scheduler = startScheduler(
      { db, queue: flaky, logger: silentLogger },
      { tickMs: 20, sweepEveryMs: 20, pollSlotLeaseSeconds: 3_600 },
    )
    try {
      const slot = { hookJobId: hookJob.id, slotMs: hookJob.next_run_at!.getTime() }
      await vi.waitFor(() => expect(polls).toEqual([slot]), { timeout: 10_000 })
      expect(attempts).toEqual([[slot]])
      expect(scheduler.stats).toMatchObject({ slotsEnqueued: 0, slotsReenqueued: 1 })
    } finally {
      await scheduler.stop()
      await consumer.close(100)
    }
  })
})
