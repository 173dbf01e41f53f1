import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../../src/db/open.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { builtinServices } from '../../../src/services/index.js'
import { syncCatalog } from '../../../src/store/catalog.js'
import { claimDuePolls, type DueSlot, pollLagSeconds } from '../../../src/store/due-polls.js'
import {
  findStrandedPollSlots,
  finishPollSlot,
  markPollSlotsEnqueued,
} from '../../../src/store/poll-slots.js'
import { pruneOldRecords } from '../../../src/store/retention.js'
import { findStrandedEvents } from '../../../src/store/stranded-events.js'
import { createUser, seedPollingAreas } from '../../support/db/seed.js'
import { drivers, openTestStore, type TestStore } from '../../support/db/stores.js'

const registry = createRegistry(builtinServices)

describe.each(drivers)('scheduler queries (%s)', (driver) => {
  let testStore: TestStore
  let store: Store
  let userId: string
  beforeAll(async () => {
    testStore = await openTestStore(driver)
    store = testStore.store
    await syncCatalog(store.db, registry)
    userId = await createUser(store.db, 'scheduler@example.test')
  })
  afterAll(() => testStore.dispose())

  const keys = (slots: readonly DueSlot[]) => slots.map((s) => `${s.hookJobId}-${s.slotMs}`).sort()
  const recordedSlotList = async (): Promise<DueSlot[]> => {
    const { rows } = await sql<{ hook_job_id: string; slot_ms: string }>`
      select hook_job_id, slot_ms::text as slot_ms from area.poll_slots`.execute(store.db)
    return rows.map((r) => ({ hookJobId: r.hook_job_id, slotMs: Number(r.slot_ms) }))
  }
  const recordedSlots = async () => keys(await recordedSlotList())

  it('claims each due slot once, advances the schedule, and skips what is not due', async () => {
    const dueAt = new Date(Date.now() - 5_000)
    await seedPollingAreas(store.db, {
      userId,
      count: 30,
      prefix: 'claim',
      intervalSeconds: 60,
      dueAt,
      sinkUrl: 'http://127.0.0.1:9',
    })
    expect(await pollLagSeconds(store.db)).toBeGreaterThanOrEqual(5)
    const first = await claimDuePolls(store.db, { limit: 20 })
    const second = await claimDuePolls(store.db, { limit: 20 })
    const third = await claimDuePolls(store.db, { limit: 20 })
    expect([first.length, second.length, third.length]).toEqual([20, 10, 0])
    const enqueued = [...first, ...second]
    expect(new Set(enqueued.map((s) => s.hookJobId)).size).toBe(30)
    expect(enqueued.every((s) => s.slotMs === dueAt.getTime())).toBe(true)
    const jobs = await store.db.selectFrom('hook_jobs').select(['last_run_at', 'next_run_at']).execute()
    for (const job of jobs) {
      expect(job.last_run_at?.getTime()).toBe(dueAt.getTime())
      expect(job.next_run_at!.getTime()).toBe(dueAt.getTime() + 60_000)
    }
    expect(await pollLagSeconds(store.db)).toBe(0)
    // Each claimed slot is committed to poll_slots with the claim, before any enqueue.
    expect(await recordedSlots()).toEqual(keys(enqueued))
  })

  it('hands the sweep a slot whose enqueue failed at once, and one left unpolled after its lease', async () => {
    const all = await recordedSlotList()
    expect(all).toHaveLength(30)
    // Just claimed and enqueued: inside their lease, the sweep leaves them alone.
    expect(await findStrandedPollSlots(store.db, { leaseSeconds: 30, limit: 100 })).toEqual([])
    // An enqueue that failed: due for the next sweep.
    await markPollSlotsEnqueued(store.db, all.slice(0, 2), false)
    const failed = await findStrandedPollSlots(store.db, { leaseSeconds: 30, limit: 100 })
    expect(keys(failed)).toEqual(keys(all.slice(0, 2)))
    // Enqueued long ago and still not polled (the job was lost with Redis): due too.
    await sql`update area.poll_slots set enqueued_at = now() - interval '31 seconds'
      where hook_job_id = ${all[2]!.hookJobId}`.execute(store.db)
    expect(keys(await findStrandedPollSlots(store.db, { leaseSeconds: 30, limit: 100 }))).toEqual(
      keys(all.slice(0, 3)),
    )
    // Enqueued again: a new lease. Polled (done): gone for good.
    await markPollSlotsEnqueued(store.db, all.slice(0, 2), true)
    await finishPollSlot(store.db, all[2]!)
    await finishPollSlot(store.db, all[2]!)
    expect(await findStrandedPollSlots(store.db, { leaseSeconds: 30, limit: 100 })).toEqual([])
    expect(await recordedSlots()).toEqual(keys(all.slice(0, 2).concat(all.slice(3))))
    await sql`delete from area.poll_slots`.execute(store.db)
  })

  it('fires the newest missed slot once after an outage (catch_up: latest), then continues from now', async () => {
    const longAgo = new Date(Date.now() - 3_600_000)
    await sql`update area.hook_jobs set next_run_at = ${longAgo}`.execute(store.db)
    const claimedAt = Date.now()
    const slots = await claimDuePolls(store.db, { limit: 100 })
    expect(slots).toHaveLength(30)
    // On the hour's minute grid, and the last of it before the claim.
    for (const slot of slots) {
      expect((slot.slotMs - longAgo.getTime()) % 60_000).toBe(0)
      expect(slot.slotMs).toBeGreaterThan(claimedAt - 60_000)
    }
    expect(await claimDuePolls(store.db, { limit: 100 })).toEqual([])
    const next = await store.db.selectFrom('hook_jobs').select('next_run_at').executeTakeFirstOrThrow()
    expect(next.next_run_at!.getTime()).toBeGreaterThan(Date.now())
  })

  it('finds events left unprocessed and unowned, and prunes old finished ones', async () => {
    const job = await store.db
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .select(['h.id', 'h.area_action_id', 'aa.area_id'])
      .executeTakeFirstOrThrow()
    const insert = (delivery: string, values: object) =>
      store.db
        .insertInto('hook_logs')
        .values({
          hook_job_id: job.id,
          area_id: job.area_id,
          user_id: userId,
          delivery_id: delivery,
          event_payload: sql`'{}'::jsonb`,
          ...values,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    const old = new Date(Date.now() - 60_000)
    const stranded = await insert('stranded', { detected_at: old })
    await insert('fresh', {})
    await insert('owned', { detected_at: old, claimed_until: new Date(Date.now() + 60_000) })
    await insert('done', { detected_at: old, processed: true, status: 'done' })
    const expired = await insert('lease-expired', {
      detected_at: old,
      claimed_until: new Date(Date.now() - 1_000),
    })
    const found = await findStrandedEvents(store.db, { olderThanSeconds: 10, limit: 100 })
    expect(found.map((f) => f.hookLogId).sort()).toEqual([stranded.id, expired.id].sort())
    expect(found[0]?.areaActionId).toBe(job.area_action_id)

    await insert('ancient', {
      detected_at: new Date(Date.now() - 40 * 86_400_000),
      processed: true,
      status: 'done',
    })
    await insert('ancient-unfinished', { detected_at: new Date(Date.now() - 40 * 86_400_000) })
    await store.db
      .insertInto('hook_seen')
      .values([
        { hook_job_id: job.id, dedup_key: 'old', seen_at: new Date(Date.now() - 40 * 86_400_000) },
        { hook_job_id: job.id, dedup_key: 'recent' },
      ])
      .execute()
    const pruned = await pruneOldRecords(store.db, { retentionDays: 30, batchSize: 1 })
    expect(pruned).toEqual({ hookLogs: 1, hookSeen: 1 })
    const left = await store.db.selectFrom('hook_logs').select('delivery_id').execute()
    expect(left.map((l) => l.delivery_id)).toContain('ancient-unfinished')
    expect(left.map((l) => l.delivery_id)).not.toContain('ancient')
  })
})

describe('concurrent claims on Postgres', () => {
  let testStore: TestStore
  const others: Store[] = []
  beforeAll(async () => {
    testStore = await openTestStore('postgres')
    await syncCatalog(testStore.store.db, registry)
    const userId = await createUser(testStore.store.db, 'race@example.test')
    await seedPollingAreas(testStore.store.db, {
      userId,
      count: 500,
      prefix: 'race',
      intervalSeconds: 60,
      dueAt: new Date(Date.now() - 1_000),
      sinkUrl: 'http://127.0.0.1:9',
    })
    for (let i = 0; i < 3; i++) others.push(await openStore({ databaseUrl: testStore.location, poolSize: 2 }))
  })
  afterAll(async () => {
    for (const other of others) await other.close()
    await testStore.dispose()
  })

  it('gives every slot to exactly one of three schedulers', async () => {
    const claimed: DueSlot[][] = others.map(() => [])
    await Promise.all(
      others.map(async (other, i) => {
        for (;;) {
          const slots = await claimDuePolls(other.db, { limit: 25 })
          if (slots.length === 0) return
          claimed[i]!.push(...slots)
          // Pause a moment, as the enqueue after the commit would, so the schedulers interleave.
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      }),
    )
    const all = claimed.flat()
    expect(all).toHaveLength(500)
    expect(new Set(all.map((s) => `${s.hookJobId}-${s.slotMs}`)).size).toBe(500)
    expect(claimed.filter((c) => c.length > 0).length).toBeGreaterThan(1)
  })
})
