/**
 * A failing poll is visible (issue 12): each failed attempt updates the hook job's last error,
 * failing-since and attempts in a row; the logs get a `poll_failure` row for the first failure of
 * a streak, a changed error and a slot's last attempt only; a successful poll clears the state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { RetryableError } from '../../../src/engine/errors.js'
import { getAreaDetails } from '../../../src/store/area-queries.js'
import { listEventLogs } from '../../../src/store/logs.js'
import { openFeedArea } from '../../support/daemon/feed-area.js'
import { attempt, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import type { Recorder } from '../../support/engine/test-services.js'

describe('a failing poll', () => {
  let harness: WorkerHarness
  let recorder: Recorder
  let hookJobId: string
  let userId: string

  beforeAll(async () => {
    ;({ harness, recorder, hookJobId } = await openFeedArea('flaky'))
    userId = harness.userId
  })
  afterAll(() => harness?.dispose())

  const db = () => harness.testStore.store.db
  const failure = async () => (await getAreaDetails(db(), userId, 'flaky'))?.hookJob?.failure
  const failureLines = async () =>
    (await listEventLogs(db(), { userId }, { limit: 50 })).items
      .filter((e) => e.kind === 'poll_failure')
      .map((e) => [e.attempts, e.maxAttempts, e.error])

  it('records each attempt, logs the changes only, and clears on success', async () => {
    const slot = { hookJobId, slotMs: 1_900_000_000_000 }
    recorder.failures.set('feed', [
      new RetryableError('503 from the feed'),
      new RetryableError('503 from the feed'),
      new RetryableError('connection reset'),
      new RetryableError('connection reset'),
    ])
    for (const n of [1, 2, 3, 4]) {
      await expect(pollHookJob(harness.deps(), slot, attempt(n, 4))).rejects.toThrow()
    }
    const failing = await failure()
    expect(failing).toMatchObject({ attempts: 4, error: 'connection reset' })
    expect(failing?.since).toBeInstanceOf(Date)
    // The first failure, the changed error, and the slot's last attempt; newest first.
    expect(await failureLines()).toEqual([
      [4, 4, 'connection reset'],
      [3, 4, 'connection reset'],
      [1, 4, '503 from the feed'],
    ])
    // The same attempt again (a redelivered job) is not counted twice.
    recorder.failures.set('feed', [new RetryableError('connection reset')])
    await expect(pollHookJob(harness.deps(), slot, attempt(4, 4))).rejects.toThrow()
    expect((await failure())?.attempts).toBe(4)

    recorder.feed = [{ key: 'a', event: { value: 1 } }]
    const next = { hookJobId, slotMs: slot.slotMs + 60_000 }
    expect(await pollHookJob(harness.deps(), next, attempt())).toMatchObject({ status: 'polled' })
    expect(await failure()).toBeUndefined()
    // The lines stay: they are history.
    expect(await failureLines()).toHaveLength(3)
  })
})
