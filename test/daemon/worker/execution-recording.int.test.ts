/**
 * What the worker writes per event, on both drivers: a success held in memory is durable before
 * the next reaction runs, the last outcome lands with the event's end, a slow reaction shows as
 * running, a retry reads earlier outcomes, and the AREA cache follows re-applies.
 */
import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import type { CompiledQuery, Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAreaCache } from '../../../src/daemon/worker/area-cache.js'
import { createClaimBatcher } from '../../../src/daemon/worker/claim-batcher.js'
import { executeEvent } from '../../../src/daemon/worker/execute-event.js'
import type { Store } from '../../../src/db/open.js'
import type { Database } from '../../../src/db/schema.js'
import { defineReaction, defineService } from '../../../src/engine/define.js'
import { RetryableError } from '../../../src/engine/errors.js'
import { createRegistry } from '../../../src/engine/registry.js'
import type { SecretBox } from '../../../src/secrets/secret-box.js'
import { builtinServices } from '../../../src/services/index.js'
import type { EndRow, OutcomeRow } from '../../../src/store/execution-statements.js'
import { createBatchedWriter } from '../../../src/store/execution-writer.js'
import { createExecutionPort } from '../../../src/store/executions.js'
import { claimHookLogs } from '../../../src/store/hook-logs.js'
import { loadAreaByActionId } from '../../../src/store/load-area.js'
import { attempt, openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { drivers } from '../../support/db/stores.js'

/** What `probe.step` does when it runs: set by each test. */
let onStep: (label: string, hookLogId: string) => Promise<void> = async () => {}
const probe = defineService({
  id: 'probe',
  name: 'Probe',
  description: 'lets a test look at the database while a reaction runs',
  auth: { kind: 'none' },
  actions: [],
  reactions: [
    defineReaction({
      id: 'step',
      name: 'Step',
      description: 'calls the test back',
      params: Type.Object({ label: Type.String() }, { additionalProperties: false }),
      async run(ctx) {
        await onStep(ctx.params.label, ctx.idempotencyKey.split(':')[0] as string)
        return { label: ctx.params.label }
      },
    }),
  ],
})
const registry = createRegistry([...builtinServices, probe])

describe.each(drivers)('execution recording (%s)', (driver) => {
  let worker: WorkerHarness
  let store: Store
  let userId: string
  let secrets: SecretBox
  const deps = () => worker.deps()

  beforeAll(async () => {
    worker = await openWorkerHarness(driver, {
      registry,
      areas: createAreaCache(),
      email: `${driver}@example.test`,
    })
    ;({ userId, secrets } = worker)
    store = worker.testStore.store
  })
  afterAll(async () => {
    await worker.dispose()
  })

  const applySteps = async (name: string, labels: string[]) => {
    const applied = await worker.apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name },
      spec: {
        action: { service: 'webhook', action: 'received' },
        reactions: labels.map((label, i) => ({
          id: `r${i}`,
          service: 'probe',
          reaction: 'step',
          params: { label },
        })),
      },
    })
    const hookJob = await worker.hookJobOf(applied.id)
    return { hookJobId: hookJob.id, areaActionId: hookJob.area_action_id, areaId: hookJob.area_id }
  }
  let deliveries = 0
  const receive = async (hook: { hookJobId: string; areaActionId: string; areaId: string }) => {
    const row = await store.db
      .insertInto('hook_logs')
      .values({
        hook_job_id: hook.hookJobId,
        area_id: hook.areaId,
        user_id: userId,
        delivery_id: `d${++deliveries}`,
        event_payload: JSON.stringify({ n: deliveries }),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return { hookLogId: row.id, areaActionId: hook.areaActionId }
  }
  const outcomes = (hookLogId: string) =>
    store.db
      .selectFrom('execution_logs')
      .select(['reaction_ref', 'status', 'attempt'])
      .where('hook_log_id', '=', hookLogId)
      .orderBy('reaction_ref')
      .execute()
  const hookLog = (hookLogId: string) =>
    store.db
      .selectFrom('hook_logs')
      .select(['status', 'processed'])
      .where('id', '=', hookLogId)
      .executeTakeFirstOrThrow()

  /**
   * A batched writer on the test store that records how many outcome rows each statement carried
   * (each write in these tests carries one).
   */
  const countingWriter = () => {
    const statements: number[] = []
    const counted = {
      executeQuery: (query: CompiledQuery) => {
        statements.push((query.parameters[0] as unknown[]).length)
        return store.db.executeQuery(query)
      },
    }
    return { writer: createBatchedWriter(counted as unknown as Kysely<Database>), statements }
  }

  it('makes a success durable before the next reaction runs, and writes the last with the end', async () => {
    const hook = await applySteps('two-steps', ['first', 'second'])
    const job = await receive(hook)
    const seen: Record<string, unknown> = {}
    onStep = async (label) => {
      seen[label] = { outcomes: await outcomes(job.hookLogId), event: await hookLog(job.hookLogId) }
    }
    expect(await executeEvent(deps(), job, attempt())).toBe('done')
    expect(seen).toEqual({
      first: { outcomes: [], event: { status: 'processing', processed: false } },
      second: {
        outcomes: [{ reaction_ref: 'r0', status: 'success', attempt: 1 }],
        event: { status: 'processing', processed: false },
      },
    })
    expect(await outcomes(job.hookLogId)).toEqual([
      { reaction_ref: 'r0', status: 'success', attempt: 1 },
      { reaction_ref: 'r1', status: 'success', attempt: 1 },
    ])
    expect(await hookLog(job.hookLogId)).toEqual({ status: 'done', processed: true })
  })

  it('hands a failed event back with what succeeded, and the retry runs only the rest', async () => {
    const hook = await applySteps('retry-the-rest', ['ok', 'flaky'])
    const job = await receive(hook)
    const runs: string[] = []
    let failures = 1
    onStep = async (label) => {
      runs.push(label)
      if (label === 'flaky' && failures-- > 0) throw new RetryableError('sink answered 503')
    }
    await expect(executeEvent(deps(), job, attempt(1))).rejects.toThrow('503')
    expect(await hookLog(job.hookLogId)).toEqual({ status: 'queued', processed: false })
    expect(await outcomes(job.hookLogId)).toEqual([
      { reaction_ref: 'r0', status: 'success', attempt: 1 },
      { reaction_ref: 'r1', status: 'failed', attempt: 1 },
    ])
    expect(await executeEvent(deps(), job, attempt(2))).toBe('done')
    expect(runs).toEqual(['ok', 'flaky', 'flaky'])
    expect(await outcomes(job.hookLogId)).toEqual([
      { reaction_ref: 'r0', status: 'success', attempt: 1 },
      { reaction_ref: 'r1', status: 'success', attempt: 2 },
    ])
  })

  it('keeps the lease through a slow reaction, and stops before the next one once taken over', async () => {
    const hook = await applySteps('taken-over', ['first', 'second'])
    const shortLease = { ...deps(), leaseSeconds: 1 }
    const state = (hookLogId: string) =>
      store.db
        .selectFrom('hook_logs')
        .select(['status', 'processed', 'attempts'])
        .where('id', '=', hookLogId)
        .executeTakeFirstOrThrow()

    // A reaction slower than the lease, on a live event loop: the renewals keep the event.
    const slow = await receive(hook)
    onStep = (label) => new Promise((resolve) => setTimeout(resolve, label === 'first' ? 1_500 : 0))
    expect(await executeEvent(shortLease, slow, attempt())).toBe('done')
    expect(await state(slow.hookLogId)).toEqual({ status: 'done', processed: true, attempts: 1 })

    // A worker whose event loop stalls past its lease during `first`, and another worker that
    // claims the event (the second attempt). The claim is written before the stall: written
    // after it, a renewal the stalled worker's timer sends as soon as the loop is free could
    // reach Postgres first (another pooled connection) and keep the lease legitimately.
    const job = await receive(hook)
    const ran: string[] = []
    onStep = async (label, hookLogId) => {
      ran.push(label)
      if (label !== 'first') return
      await store.db
        .updateTable('hook_logs')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), claimed_until: new Date(Date.now() + 60_000) }))
        .where('id', '=', hookLogId)
        .execute()
      const stalledUntil = Date.now() + 1_200
      while (Date.now() < stalledUntil) {
        // Busy: no timer, no renewal runs.
      }
    }
    expect(await executeEvent(shortLease, job, attempt())).toBe('taken_over')
    // `second` was not sent; what did happen is recorded, and the event is left to its holder.
    expect(ran).toEqual(['first'])
    expect(await outcomes(job.hookLogId)).toEqual([{ reaction_ref: 'r0', status: 'success', attempt: 1 }])
    expect(await state(job.hookLogId)).toEqual({ status: 'processing', processed: false, attempts: 2 })

    // The holder's run (here after its own lease ran out) runs only what is left.
    await store.db
      .updateTable('hook_logs')
      .set({ claimed_until: null })
      .where('id', '=', job.hookLogId)
      .execute()
    expect(await executeEvent(deps(), job, attempt(2))).toBe('done')
    expect(ran).toEqual(['first', 'second'])
    expect(await outcomes(job.hookLogId)).toEqual([
      { reaction_ref: 'r0', status: 'success', attempt: 1 },
      { reaction_ref: 'r1', status: 'success', attempt: 3 },
    ])
  })

  it('writes a failed reaction together with the event it hands back or fails', async () => {
    const hook = await applySteps('fail-with-end', ['ok', 'broken'])
    onStep = async (label) => {
      if (label === 'broken') throw new RetryableError('sink answered 503')
    }
    for (const [attemptNumber, status] of [
      [1, 'queued'],
      [3, 'failed'],
    ] as const) {
      const job = await receive(hook)
      const { writer, statements } = countingWriter()
      await expect(executeEvent({ ...deps(), writes: writer }, job, attempt(attemptNumber))).rejects.toThrow(
        '503',
      )
      // `ok`'s success before `broken` ran; `broken`'s failure with the end, in one statement.
      expect(statements).toEqual([1, 1])
      expect(await hookLog(job.hookLogId)).toEqual({ status, processed: status === 'failed' })
      expect(await outcomes(job.hookLogId)).toEqual([
        { reaction_ref: 'r0', status: 'success', attempt: 1 },
        { reaction_ref: 'r1', status: 'failed', attempt: 1 },
      ])
    }
  })

  it('shows a reaction still running after the delay as running, then its outcome', async () => {
    const hook = await applySteps('slow-step', ['slow'])
    const job = await receive(hook)
    const loaded = await loadAreaByActionId(store.db, job.areaActionId, secrets)
    const reaction = loaded!.reactions[0]!
    const recorder = createExecutionPort(store.db, {
      hookLogId: job.hookLogId,
      areaId: hook.areaId,
      userId,
      areaActionId: job.areaActionId,
      attempt: 1,
      runningMarkAfterMs: 20,
    })
    await recorder.started(reaction, { label: 'slow' })
    await expect
      .poll(() => outcomes(job.hookLogId))
      .toEqual([{ reaction_ref: 'r0', status: 'running', attempt: 1 }])
    await recorder.succeeded(reaction, { label: 'slow' }, { label: 'slow' })
    await recorder.finish('done')
    expect(await outcomes(job.hookLogId)).toEqual([{ reaction_ref: 'r0', status: 'success', attempt: 1 }])

    // A fast one never shows as running: nothing is written before its outcome.
    const fast = await receive(hook)
    const fastRecorder = createExecutionPort(store.db, {
      hookLogId: fast.hookLogId,
      areaId: hook.areaId,
      userId,
      areaActionId: job.areaActionId,
      attempt: 1,
      runningMarkAfterMs: 10_000,
    })
    await fastRecorder.started(reaction, { label: 'slow' })
    expect(await outcomes(fast.hookLogId)).toEqual([])
    await fastRecorder.succeeded(reaction, { label: 'slow' }, { label: 'slow' })
    expect(await outcomes(fast.hookLogId)).toEqual([])
    await fastRecorder.finish('done')
    expect(await outcomes(fast.hookLogId)).toEqual([{ reaction_ref: 'r0', status: 'success', attempt: 1 }])
  })

  it('shares claims between concurrent events, and runs a duplicated delivery once', async () => {
    const hook = await applySteps('many-at-once', ['one'])
    const jobs = await Promise.all(Array.from({ length: 12 }, () => receive(hook)))
    const ran: string[] = []
    onStep = async (_label, hookLogId) => {
      ran.push(hookLogId)
    }
    const statements: number[] = []
    const claims = createClaimBatcher((ids) => {
      statements.push(ids.length)
      return claimHookLogs(store.db, ids, 60)
    })
    const withClaims = { ...deps(), claims }
    // The first two events are delivered twice at the same time (BullMQ is at least once).
    const deliveries = [...jobs, jobs[0]!, jobs[1]!]
    const results = await Promise.allSettled(
      deliveries.map((job) => executeEvent(withClaims, job, attempt())),
    )
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === 'done')).toHaveLength(12)
    // The second delivery of an event finds it taken: retried later, it finds it processed.
    for (const r of results.slice(12)) {
      if (r.status === 'rejected') expect(String(r.reason)).toContain('being processed by another worker')
      else expect(r.value).toBe('already_processed')
    }
    expect(ran.sort()).toEqual(jobs.map((j) => j.hookLogId).sort())
    expect(statements.length).toBeLessThan(deliveries.length)
    expect(statements.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(deliveries.length)
  })

  it('shares outcome and end statements between concurrent events', async () => {
    const hook = await applySteps('write-together', ['a', 'b'])
    const jobs = await Promise.all(Array.from({ length: 12 }, () => receive(hook)))
    onStep = async () => {}
    const { writer, statements } = countingWriter()
    const results = await Promise.all(
      jobs.map((job) => executeEvent({ ...deps(), writes: writer }, job, attempt())),
    )
    expect(results).toEqual(jobs.map(() => 'done'))
    for (const job of jobs) {
      expect(await hookLog(job.hookLogId)).toEqual({ status: 'done', processed: true })
      expect(await outcomes(job.hookLogId)).toEqual([
        { reaction_ref: 'r0', status: 'success', attempt: 1 },
        { reaction_ref: 'r1', status: 'success', attempt: 1 },
      ])
    }
    // Two writes per event (a's success before b runs; b's with the end), fewer statements.
    expect(statements.reduce((sum, n) => sum + n, 0)).toBe(24)
    expect(statements.length).toBeLessThan(24)
  })

  it('tries a failing shared write statement again one write at a time: a bad write fails alone', async () => {
    const hook = await applySteps('write-alone', ['a'])
    const [first, bad, good] = await Promise.all([receive(hook), receive(hook), receive(hook)])
    const [reaction] = await store.db
      .selectFrom('area_reactions')
      .select('id')
      .where('area_id', '=', hook.areaId)
      .execute()
    await claimHookLogs(store.db, [first!.hookLogId, bad!.hookLogId, good!.hookLogId], 60)
    const row = (hookLogId: string, areaReactionId: string): OutcomeRow => ({
      areaId: hook.areaId,
      userId,
      hookLogId,
      areaActionId: hook.areaActionId,
      areaReactionId,
      reactionRef: 'r0',
      itemIndex: -1,
      status: 'success',
      attempt: 1,
      startedAt: new Date(),
      request: { label: 'a' },
      response: { label: 'a' },
      error: undefined,
      errorClass: undefined,
    })
    const end = (hookLogId: string): EndRow => ({
      hookLogId,
      attempt: 1,
      end: { kind: 'finish', status: 'done', error: undefined },
    })
    const { writer, statements } = countingWriter()
    // The first goes at once; the next two wait for it and share a statement, which fails on the
    // bad one's reaction (no such reaction: a foreign key violation).
    const results = await Promise.allSettled(
      [first!, bad!, good!].map((job) =>
        writer.write({
          rows: [row(job.hookLogId, job === bad ? randomUUID() : reaction!.id)],
          end: end(job.hookLogId),
        }),
      ),
    )
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(statements).toEqual([1, 2, 1, 1])
    expect(await hookLog(first!.hookLogId)).toEqual({ status: 'done', processed: true })
    expect(await hookLog(good!.hookLogId)).toEqual({ status: 'done', processed: true })
    expect(await hookLog(bad!.hookLogId)).toEqual({ status: 'processing', processed: false })
    expect(await outcomes(bad!.hookLogId)).toEqual([])
  })

  it('runs the re-applied AREA, not the cached one', async () => {
    const labels: string[] = []
    onStep = async (label) => {
      labels.push(label)
    }
    const hook = await applySteps('changing', ['before'])
    expect(await executeEvent(deps(), await receive(hook), attempt())).toBe('done')
    expect(await executeEvent(deps(), await receive(hook), attempt())).toBe('done')
    await applySteps('changing', ['after', 'added'])
    expect(await executeEvent(deps(), await receive(hook), attempt())).toBe('done')
    expect(labels).toEqual(['before', 'before', 'after', 'added'])
  })
})
