/**
 * The AREA language at run time (engine/run.ts, reaction-graph-run.ts, for-each.ts): `when` on
 * the action and on reactions, the needs graph and its bound, for_each items and their keys,
 * continue_on_error, per-reaction timeouts, and on_failure.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { LoadedArea, LoadedReaction, ReactionPolicy } from '../../src/engine/area.js'
import { createRegistry } from '../../src/engine/registry.js'
import {
  createEngine,
  type Engine,
  ReactionFailedError,
  ReactionTimeoutError,
  type RunEventInput,
} from '../../src/engine/run.js'
import { silentLogger } from '../../src/engine/types.js'
import { memoryExecutionPort } from '../support/engine/memory-ports.js'
import {
  createRecorder,
  permanentFailure,
  type Recorder,
  testService,
  transientFailure,
} from '../support/engine/test-services.js'

type Step = Partial<Omit<LoadedReaction, 'policy'>> & { ref: string; policy?: Partial<ReactionPolicy> }

/** Reactions of the `test` service; each records `text` (default: its ref). */
function areaOf(steps: Step[], when?: string): LoadedArea {
  return {
    id: 'area-1',
    name: 'graph',
    userId: 'user-1',
    action: { id: 'act-1', service: 'test', action: 'hook', params: {}, ...(when ? { when } : {}) },
    reactions: steps.map((step, position) => ({
      id: `id-${step.ref}`,
      position,
      phase: 'main',
      service: 'test',
      reaction: 'note',
      params: { text: step.ref },
      ...step,
      policy: { needs: [], ...step.policy },
    })),
  }
}

describe('running an AREA graph', () => {
  let recorder: Recorder
  let engine: Engine
  beforeEach(() => {
    recorder = createRecorder()
    engine = createEngine(createRegistry([testService(recorder)]))
  })
  const run = (
    area: LoadedArea,
    extra: Partial<RunEventInput> = {},
    event = { value: 7, labels: ['a', 'b', 'c'] },
  ) => {
    const outcomes = extra.outcomes ?? memoryExecutionPort()
    return engine.runEvent({
      area,
      event,
      hookLogId: 'log-1',
      outcomes,
      logger: silentLogger,
      signal: new AbortController().signal,
      ...extra,
    })
  }
  const texts = () => recorder.calls.map((c) => (c.params as { text: string }).text)

  it("skips the event when the action's when is false, naming the expression, and fails for good when it cannot be evaluated", async () => {
    const outcomes = memoryExecutionPort()
    expect(await run(areaOf([{ ref: 'a' }], 'trigger.value > 10'), { outcomes })).toEqual({
      status: 'skipped',
      reason: 'when: trigger.value > 10 was false',
    })
    expect(recorder.calls).toEqual([])
    expect(outcomes.rows.size).toBe(0)

    expect(await run(areaOf([{ ref: 'a' }], 'trigger.value > 5'))).toMatchObject({ status: 'done' })
    expect(texts()).toEqual(['a'])

    const failure = await run(areaOf([{ ref: 'a' }], 'trigger.missing.deep > 1')).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ReactionFailedError)
    expect((failure as ReactionFailedError).errorClass).toBe('permanent')
    expect((failure as Error).message).toMatch(
      /^the action failed: the when of the action \(trigger\.missing\.deep > 1\) could not be evaluated: /,
    )
  })

  it('runs reactions whose needs are done together, within the bound, and a dependent after all it needs', async () => {
    let inFlight = 0
    let most = 0
    recorder.before = async () => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setImmediate(resolve))
      inFlight--
    }
    const area = areaOf([
      { ref: 'a' },
      { ref: 'b' },
      { ref: 'c' },
      {
        ref: 'join',
        params: { text: '{{ reactions.a.echoed }}+{{ reactions.b.echoed }}+{{ reactions.c.echoed }}' },
        policy: { needs: ['a', 'b', 'c'] },
      },
    ])
    const result = await run(area, { graph: { concurrency: 2 } })
    expect(result).toEqual({ status: 'done', executed: ['a', 'b', 'c', 'join'], reused: [] })
    expect(most).toBe(2)
    expect(texts().at(-1)).toBe('a+b+c')

    // The default bound (4) lets the three roots run at once.
    most = 0
    recorder.calls = []
    await run(area)
    expect(most).toBe(3)
  })

  it('skips a reaction whose when is false, recording the expression, and runs its dependents', async () => {
    const outcomes = memoryExecutionPort()
    const area = areaOf([
      { ref: 'first' },
      { ref: 'maybe', policy: { needs: ['first'], when: 'size(trigger.labels) > 5' } },
      { ref: 'last', params: { text: 'last {{ reactions.maybe }}' }, policy: { needs: ['maybe'] } },
    ])
    expect(await run(area, { outcomes })).toEqual({
      status: 'done',
      executed: ['first', 'last'],
      reused: [],
      skipped: ['maybe'],
    })
    expect(texts()).toEqual(['first', 'last '])
    expect(outcomes.rows.get('id-maybe')).toMatchObject({
      status: 'skipped',
      error: 'when: size(trigger.labels) > 5 was false',
    })
  })

  it('runs a for_each reaction once per item with item, index and a key per item; a retry runs only the items that did not succeed', async () => {
    const outcomes = memoryExecutionPort()
    const area = areaOf([
      {
        ref: 'each',
        params: { text: '{{ index }}:{{ item }}' },
        policy: { forEach: 'trigger.labels' },
      },
      { ref: 'after', params: { text: '{{ reactions.each[2].echoed }}' }, policy: { needs: ['each'] } },
    ])
    recorder.failures.set('note', [])
    let calls = 0
    recorder.before = async (text) => {
      calls++
      if (text === '1:b' && calls === 2) throw transientFailure()
    }
    const failure = await run(area, { outcomes }).catch((e: unknown) => e)
    expect((failure as Error).message).toBe('reaction "each" (item 1) failed: sink answered 503')
    expect((failure as ReactionFailedError).errorClass).toBe('retryable')
    expect(outcomes.rows.get('id-each:0')?.status).toBe('success')
    expect(outcomes.rows.get('id-each:1')).toMatchObject({ status: 'failed', error: 'sink answered 503' })
    expect(outcomes.rows.get('id-each')).toMatchObject({
      status: 'failed',
      error: 'item 1 of 3 failed: sink answered 503',
    })

    // The retry: item 0 is not sent again; 1 and 2 are, with the same keys.
    expect(await run(area, { outcomes })).toEqual({ status: 'done', executed: ['each', 'after'], reused: [] })
    expect(recorder.calls.map((c) => [(c.params as { text: string }).text, c.idempotencyKey])).toEqual([
      ['0:a', 'log-1:id-each:0'],
      ['1:b', 'log-1:id-each:1'],
      ['2:c', 'log-1:id-each:2'],
      ['2:c', 'log-1:id-after'],
    ])
    expect(outcomes.rows.get('id-each')).toMatchObject({
      status: 'success',
      output: [
        { echoed: '0:a', count: 0 },
        { echoed: '1:b', count: 0 },
        { echoed: '2:c', count: 0 },
      ],
    })
  })

  it('fails for good when a for_each gives more items than the cap, naming both', async () => {
    const area = areaOf([{ ref: 'each', policy: { forEach: 'trigger.labels' } }])
    const failure = await run(area, {
      graph: { maxItems: { count: 2, setting: 'AREA_FOR_EACH_MAX_ITEMS' } },
    }).catch((e: unknown) => e)
    expect((failure as ReactionFailedError).errorClass).toBe('permanent')
    expect((failure as Error).message).toBe(
      'reaction "each" failed: the for_each of reaction "each" (trigger.labels) gave 3 items, more than the limit of 2 (AREA_FOR_EACH_MAX_ITEMS); filter the list in the expression or raise the limit',
    )
    expect(recorder.calls).toEqual([])
  })

  it('lets dependents of a failure with continue_on_error run without its output; otherwise stops starting, waits for those in flight, and throws the first failure', async () => {
    recorder.failures.set('other', [permanentFailure()])
    const tolerant = areaOf([
      { ref: 'shaky', reaction: 'other', policy: { continueOnError: true } },
      { ref: 'next', params: { text: 'next {{ reactions.shaky }}' }, policy: { needs: ['shaky'] } },
    ])
    expect(await run(tolerant)).toEqual({ status: 'done', executed: ['shaky', 'next'], reused: [] })
    expect(texts()).toEqual(['next '])

    recorder.calls = []
    recorder.failures.set('other', [permanentFailure()])
    const outcomes = memoryExecutionPort()
    let release: () => void = () => {}
    const slowDone = new Promise<void>((resolve) => {
      release = resolve
    })
    recorder.before = async (text) => {
      if (text === 'slow') await slowDone
    }
    const strict = areaOf([
      { ref: 'slow' },
      { ref: 'bad', reaction: 'other' },
      { ref: 'after-bad', policy: { needs: ['bad'] } },
    ])
    const running = run(strict, { outcomes }).catch((e: unknown) => e)
    await new Promise((resolve) => setImmediate(resolve))
    release()
    const failure = await running
    expect((failure as Error).message).toBe('reaction "bad" failed: sink answered 400: bad request')
    expect(texts()).toEqual(['slow'])
    expect(outcomes.rows.get('id-slow')?.status).toBe('success')
    expect(outcomes.rows.has('id-after-bad')).toBe(false)
  })

  it("aborts a reaction past its own timeout when it is lower than the server's ceiling", async () => {
    recorder.before = (_text, signal) =>
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))
    const area = areaOf([{ ref: 'stuck', policy: { timeoutMs: 20 } }])
    const failure = await run(area, {
      reactionTimeout: { ms: 300_000, setting: 'AREA_REACTION_TIMEOUT_SECONDS' },
    }).catch((e: unknown) => e)
    expect((failure as ReactionFailedError).cause).toBeInstanceOf(ReactionTimeoutError)
    expect((failure as Error).message).toBe(
      'reaction "stuck" failed: the reaction ran longer than its timeout of 0.02 s and was aborted; it is retried later',
    )
  })

  it('runs the on_failure reactions once when the run fails for good, with the error in scope; their own failure is recorded, never thrown', async () => {
    const outcomes = memoryExecutionPort()
    const area = areaOf([
      { ref: 'send', reaction: 'other' },
      {
        ref: 'alert',
        phase: 'on_failure',
        params: {
          text: '{{ error.reaction }} failed on attempt {{ error.attempt }} ({{ error.class }}): {{ error.message }}',
        },
      },
      { ref: 'page', phase: 'on_failure', reaction: 'other', policy: { needs: ['alert'] } },
    ])
    // Not for good yet: no on_failure.
    recorder.failures.set('other', [transientFailure()])
    await run(area, { outcomes, failsForGood: () => false }).catch(() => undefined)
    expect(recorder.calls).toEqual([])

    recorder.failures.set('other', [transientFailure(), permanentFailure()])
    const failure = await run(area, { outcomes, attempt: 2, failsForGood: () => true }).catch(
      (e: unknown) => e,
    )
    expect((failure as Error).message).toBe('reaction "send" failed: sink answered 503')
    expect(texts()).toEqual(['send failed on attempt 2 (retryable): sink answered 503'])
    expect(outcomes.rows.get('id-page')).toMatchObject({
      status: 'failed',
      error: 'sink answered 400: bad request',
    })

    // Delivered again: the alert already succeeded and is not sent twice.
    recorder.failures.set('other', [transientFailure(), transientFailure()])
    await run(area, { outcomes, attempt: 3, failsForGood: () => true }).catch(() => undefined)
    expect(texts()).toEqual(['send failed on attempt 2 (retryable): sink answered 503'])
  })
})
