/**
 * The `poll` job ends its polling slot (`poll_slots`, docs/architecture.md, "Claim-based
 * scheduling") when the slot is done: polled (with the poll's commit), skipped, or failed for
 * good; a slot that will be retried, or that is handed back at shutdown, stays for the sweep.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import { openFeedArea } from '../../support/daemon/feed-area.js'
import { attempt, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import type { Recorder } from '../../support/engine/test-services.js'

describe('the end of a polling slot', () => {
  let harness: WorkerHarness
  let recorder: Recorder
  let hookJobId: string
  let areaId: string
  let nextSlot = 1_800_000_000_000

  beforeAll(async () => {
    ;({ harness, recorder, hookJobId, areaId } = await openFeedArea('slots'))
  })
  afterAll(() => harness?.dispose())

  /** A slot as the scheduler's claim records it. */
  async function claimedSlot() {
    nextSlot += 60_000
    const slot = { hookJobId, slotMs: nextSlot }
    await sql`insert into area.poll_slots (hook_job_id, slot_ms) values (${hookJobId}, ${String(slot.slotMs)}::bigint)`.execute(
      harness.testStore.store.db,
    )
    return slot
  }
  async function recorded(slot: { slotMs: number }): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from area.poll_slots where hook_job_id = ${hookJobId} and slot_ms = ${String(slot.slotMs)}::bigint`.execute(
      harness.testStore.store.db,
    )
    return rows[0]!.n === 1
  }

  it('ends with the poll that commits, and only that slot', async () => {
    const slot = await claimedSlot()
    const other = await claimedSlot()
    recorder.feed = [{ key: 'a', event: { value: 1 } }]
    expect(await pollHookJob(harness.deps(), slot, attempt())).toMatchObject({ status: 'polled' })
    expect(await recorded(slot)).toBe(false)
    expect(await recorded(other)).toBe(true)
    await pollHookJob(harness.deps(), other, attempt())
    expect(await recorded(other)).toBe(false)
  })

  it('stays while the poll will be retried, and ends when its last attempt fails', async () => {
    const slot = await claimedSlot()
    recorder.failures.set('feed', [new RetryableError('503 from the feed'), new RetryableError('503 again')])
    await expect(pollHookJob(harness.deps(), slot, attempt(1, 2))).rejects.toThrow('503 from the feed')
    expect(await recorded(slot)).toBe(true)
    await expect(pollHookJob(harness.deps(), slot, attempt(2, 2))).rejects.toThrow('503 again')
    expect(await recorded(slot)).toBe(false)
  })

  it('ends at once on a permanent error', async () => {
    const slot = await claimedSlot()
    recorder.failures.set('feed', [new PermanentError('the feed does not exist')])
    await expect(pollHookJob(harness.deps(), slot, attempt(1, 8))).rejects.toThrow('does not exist')
    expect(await recorded(slot)).toBe(false)
  })

  it('stays when the job is handed back at shutdown', async () => {
    const slot = await claimedSlot()
    const controller = new AbortController()
    controller.abort(new Error('the worker is shutting down'))
    recorder.failures.set('feed', [new Error('aborted')])
    await expect(
      pollHookJob(harness.deps(), slot, { attempt: 8, maxAttempts: 8, signal: controller.signal }),
    ).rejects.toThrow('aborted')
    expect(await recorded(slot)).toBe(true)
  })

  it('ends when the slot is skipped (the AREA was disabled)', async () => {
    const slot = await claimedSlot()
    await harness.testStore.store.db
      .updateTable('areas')
      .set({ enabled: false })
      .where('id', '=', areaId)
      .execute()
    expect(await pollHookJob(harness.deps(), slot, attempt())).toMatchObject({ status: 'skipped' })
    expect(await recorded(slot)).toBe(false)
  })
})
