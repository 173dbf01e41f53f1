/**
 * The AREA language through the worker, on both drivers: a parallel group then a for_each whose
 * retry re-sends only the item that failed (same key), an action `when` that skips the event, and
 * a reaction's own retry budget that ends the run and runs on_failure once, never again on a
 * re-delivery. The AREAs are applied with the AREA language's keys, as from a file.
 */
import { Type } from '@sinclair/typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeEvent } from '../../../src/daemon/worker/execute-event.js'
import { defineReaction, defineService } from '../../../src/engine/define.js'
import { RetryableError } from '../../../src/engine/errors.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { builtinServices } from '../../../src/services/index.js'
import { findEventDetail } from '../../../src/store/event-detail.js'
import { attempt, openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { drivers } from '../../support/db/stores.js'

/** Every call of `probe.step`: its label and idempotency key; `failOnce` labels fail the first time. */
const sent: { label: string; key: string }[] = []
const failOnce = new Set<string>()
const alwaysFail = new Set<string>()
const probe = defineService({
  id: 'probe',
  name: 'Probe',
  description: 'records what it is sent',
  auth: { kind: 'none' },
  actions: [],
  reactions: [
    defineReaction({
      id: 'step',
      name: 'Step',
      description: 'records its label and key',
      params: Type.Object({ label: Type.String() }, { additionalProperties: false }),
      async run(ctx) {
        if (failOnce.delete(ctx.params.label) || alwaysFail.has(ctx.params.label)) {
          throw new RetryableError(`${ctx.params.label} answered 503`)
        }
        sent.push({ label: ctx.params.label, key: ctx.idempotencyKey })
        return { label: ctx.params.label }
      },
    }),
  ],
})
const registry = createRegistry([...builtinServices, probe])

describe.each(drivers)('running an AREA graph in the worker (%s)', (driver) => {
  let worker: WorkerHarness
  beforeAll(async () => {
    worker = await openWorkerHarness(driver, { registry })
  })
  afterAll(async () => {
    await worker.dispose()
  })
  const db = () => worker.testStore.store.db

  /** Applies reactions r0.. with these labels and AREA-language keys, as a file would. */
  const apply = async (
    name: string,
    steps: { label: string; keys?: object; phase?: 'on_failure' }[],
    when?: string,
  ) => {
    const reaction = (step: (typeof steps)[number], i: number) => ({
      id: `r${i}`,
      service: 'probe',
      reaction: 'step',
      ...step.keys,
      params: { label: step.label },
    })
    const onFailure = steps.flatMap((step, i) => (step.phase === 'on_failure' ? [reaction(step, i)] : []))
    const applied = await worker.apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name },
      spec: {
        action: { service: 'webhook', action: 'received', ...(when ? { when } : {}) },
        reactions: steps.flatMap((step, i) => (step.phase === 'on_failure' ? [] : [reaction(step, i)])),
        ...(onFailure.length > 0 ? { on_failure: onFailure } : {}),
      },
    })
    const hook = await worker.hookJobOf(applied.id)
    const ids = Object.fromEntries(
      (
        await db()
          .selectFrom('area_reactions')
          .select(['ref', 'id'])
          .where('area_id', '=', applied.id)
          .execute()
      ).map((r) => [r.ref, r.id]),
    )
    return { hook, ids }
  }
  let deliveries = 0
  const receive = async (hook: { id: string; area_id: string; area_action_id: string }, payload: object) => {
    const row = await db()
      .insertInto('hook_logs')
      .values({
        hook_job_id: hook.id,
        area_id: hook.area_id,
        user_id: worker.userId,
        delivery_id: `d${++deliveries}`,
        event_payload: JSON.stringify(payload),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return { hookLogId: row.id, areaActionId: hook.area_action_id }
  }
  const rows = (hookLogId: string) =>
    db()
      .selectFrom('execution_logs')
      .select(['reaction_ref', 'item_index', 'status', 'response_payload'])
      .where('hook_log_id', '=', hookLogId)
      .orderBy('reaction_ref')
      .orderBy('item_index')
      .execute()
  const event = (hookLogId: string) =>
    db()
      .selectFrom('hook_logs')
      .select(['status', 'processed', 'error'])
      .where('id', '=', hookLogId)
      .executeTakeFirstOrThrow()
  /** The next claim of an event whose lease the previous attempt handed back. */
  const release = (hookLogId: string) =>
    db().updateTable('hook_logs').set({ claimed_until: null }).where('id', '=', hookLogId).execute()

  it('runs a parallel group, then a for_each per item; a retry re-sends only the failed item, with its key', async () => {
    sent.length = 0
    const { hook, ids } = await apply('graph', [
      { label: 'a', keys: { needs: [] } },
      { label: 'b', keys: { needs: [] } },
      { label: '{{ trigger.n }}', keys: { needs: ['r0', 'r1'], for_each: 'trigger.items' } },
    ])
    const job = await receive(hook, { n: 'item', items: ['x', 'y', 'z'] })
    failOnce.add('item')
    // Item 0 fails first here (the failOnce label is shared by all items): the retry sends it.
    await expect(executeEvent(worker.deps(), job, attempt(1, 3))).rejects.toThrow(
      'reaction "r2" (item 0) failed: item answered 503',
    )
    expect(await event(job.hookLogId)).toMatchObject({ status: 'queued', processed: false })
    expect((await rows(job.hookLogId)).map((r) => [r.reaction_ref, r.item_index, r.status])).toEqual([
      ['r0', -1, 'success'],
      ['r1', -1, 'success'],
      ['r2', -1, 'failed'],
      ['r2', 0, 'failed'],
    ])
    await release(job.hookLogId)
    expect(await executeEvent(worker.deps(), job, attempt(2, 3))).toBe('done')
    const key = (ref: string, index?: number) =>
      `${job.hookLogId}:${ids[ref]}${index === undefined ? '' : `:${index}`}`
    expect(sent.map((s) => s.key).sort()).toEqual(
      [key('r0'), key('r1'), key('r2', 0), key('r2', 1), key('r2', 2)].sort(),
    )
    const after = await rows(job.hookLogId)
    expect(after.map((r) => [r.reaction_ref, r.item_index, r.status])).toEqual([
      ['r0', -1, 'success'],
      ['r1', -1, 'success'],
      ['r2', -1, 'success'],
      ['r2', 0, 'success'],
      ['r2', 1, 'success'],
      ['r2', 2, 'success'],
    ])
    expect(after[2]?.response_payload).toEqual([{ label: 'item' }, { label: 'item' }, { label: 'item' }])

    // `area logs <event-id>`: in the order they ran, the for_each as a whole then each item.
    const detail = await findEventDetail(db(), worker.userId, job.hookLogId)
    const shown = detail?.executions.map((e) => [e.ref, e.item, e.status, e.output]) ?? []
    expect(
      shown
        .slice(0, 2)
        .map(([ref]) => ref)
        .sort(),
    ).toEqual(['r0', 'r1'])
    expect(shown.slice(2)).toEqual([
      ['r2', null, 'success', [{ label: 'item' }, { label: 'item' }, { label: 'item' }]],
      ['r2', 0, 'success', { label: 'item' }],
      ['r2', 1, 'success', { label: 'item' }],
      ['r2', 2, 'success', { label: 'item' }],
    ])
  })

  it("skips the event when the action's when is false, with the expression in its error", async () => {
    sent.length = 0
    const { hook } = await apply('conditional', [{ label: 'a' }], 'trigger.n > 100')
    const job = await receive(hook, { n: 7 })
    expect(await executeEvent(worker.deps(), job, attempt())).toBe('skipped')
    expect(await event(job.hookLogId)).toEqual({
      status: 'skipped',
      processed: true,
      error: 'when: trigger.n > 100 was false',
    })
    expect(sent).toEqual([])
  })

  it("ends the run when the reaction's own retry.attempts are spent, runs on_failure once, and not again on a re-delivery", async () => {
    sent.length = 0
    alwaysFail.add('flaky')
    const { hook } = await apply('failing', [
      { label: 'flaky', keys: { retry: { attempts: 2 } } },
      { label: 'alert: {{ error.reaction }} {{ error.message }}', phase: 'on_failure' },
    ])
    const job = await receive(hook, { n: 1 })
    await expect(executeEvent(worker.deps(), job, attempt(1, 8))).rejects.toThrow('flaky answered 503')
    expect(sent).toEqual([])
    await release(job.hookLogId)
    const spent = await executeEvent(worker.deps(), job, attempt(2, 8)).catch((e: unknown) => e)
    expect((spent as { code?: string }).code).toBe('retry_attempts_spent')
    expect(sent.map((s) => s.label)).toEqual(['alert: r0 flaky answered 503'])
    expect(await event(job.hookLogId)).toMatchObject({ status: 'failed', processed: true })
    expect((await rows(job.hookLogId)).map((r) => [r.reaction_ref, r.status])).toEqual([
      ['r0', 'failed'],
      ['r1', 'success'],
    ])
    // Delivered again (BullMQ is at-least-once): the event is finished, nothing runs.
    expect(await executeEvent(worker.deps(), job, attempt(3, 8))).toBe('already_processed')
    expect(sent).toHaveLength(1)
    alwaysFail.clear()
  })
})
