/**
 * The scheduler's sweep on the embedded path (PGlite + in-process queue): an event left
 * unfinished is enqueued again, even when its job already gave up and is still retained.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createMemoryQueue } from '../../../src/daemon/queue/memory.js'
import type { JobConsumer } from '../../../src/daemon/queue/types.js'
import { startScheduler } from '../../../src/daemon/scheduler/scheduler.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { silentLogger } from '../../../src/engine/types.js'
import { builtinServices } from '../../../src/services/index.js'
import { syncCatalog } from '../../../src/store/catalog.js'
import { createUser, seedPollingAreas } from '../../support/db/seed.js'
import { openTestStore, type TestStore } from '../../support/db/stores.js'

describe('scheduler sweep (embedded)', () => {
  let testStore: TestStore
  let consumer: JobConsumer | undefined
  const queue = createMemoryQueue({ concurrency: 1, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } })

  beforeAll(async () => {
    testStore = await openTestStore('pglite')
    await syncCatalog(testStore.store.db, createRegistry(builtinServices))
  })
  afterAll(async () => {
    await consumer?.close(100)
    await queue.close()
    await testStore.dispose()
  })

  it('runs again an unfinished event whose job spent its attempts', async () => {
    const db = testStore.store.db
    const userId = await createUser(db, 'sweep@example.test')
    // Not due for an hour: the scheduler's claim leaves it alone, only the sweep acts.
    await seedPollingAreas(db, {
      userId,
      count: 1,
      prefix: 'sweep',
      intervalSeconds: 3_600,
      dueAt: new Date(Date.now() + 3_600_000),
      sinkUrl: 'http://127.0.0.1:9',
    })
    const job = await db
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .select(['h.id', 'h.area_action_id', 'aa.area_id'])
      .executeTakeFirstOrThrow()
    const event = await db
      .insertInto('hook_logs')
      .values({
        hook_job_id: job.id,
        area_id: job.area_id,
        user_id: userId,
        delivery_id: 'k',
        event_payload: sql`'{}'::jsonb`,
        detected_at: new Date(Date.now() - 60_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow()

    // Its job failed on every attempt (Postgres was away, say) and is retained as failed.
    let postgresAway = true
    const runs: number[] = []
    consumer = queue.createConsumer({
      area_execution: async (data, ctx) => {
        runs.push(ctx.attempt)
        if (postgresAway) throw new Error('connection refused')
        // What the worker does once the event ran: the sweep has nothing more to find.
        await db
          .updateTable('hook_logs')
          .set({ processed: true, status: 'done' })
          .where('id', '=', data.hookLogId)
          .execute()
      },
      poll: async () => {},
    })
    await consumer.start()
    await queue.enqueueExecutions([{ hookLogId: event.id, areaActionId: job.area_action_id }])
    await vi.waitFor(async () => expect((await queue.counts()).failed).toBe(1))

    postgresAway = false
    const scheduler = startScheduler(
      { db, queue, logger: silentLogger },
      { tickMs: 20, sweepEveryMs: 20, sweepGraceSeconds: 10 },
    )
    try {
      await vi.waitFor(async () => expect((await queue.counts()).completed).toBe(1), { timeout: 10_000 })
      expect(runs).toEqual([1, 2, 1])
      expect(scheduler.stats.eventsReenqueued).toBeGreaterThanOrEqual(1)
    } finally {
      await scheduler.stop()
    }
  })
})
