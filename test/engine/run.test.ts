import { beforeEach, describe, expect, it } from 'vitest'
import type { LoadedArea } from '../../src/engine/area.js'
import { createRegistry } from '../../src/engine/registry.js'
import { createEngine, type Engine, ReactionFailedError } from '../../src/engine/run.js'
import { silentLogger } from '../../src/engine/types.js'
import { memoryExecutionPort } from '../support/engine/memory-ports.js'
import {
  createRecorder,
  permanentFailure,
  type Recorder,
  testService,
  transientFailure,
} from '../support/engine/test-services.js'

function area(min = 0): LoadedArea {
  return {
    id: 'area-1',
    name: 'feed-to-notes',
    userId: 'user-1',
    action: { id: 'act-1', service: 'test', action: 'feed', params: { min } },
    reactions: [
      {
        id: 'r-1',
        ref: 'first',
        position: 0,
        phase: 'main',
        policy: { needs: [] },
        service: 'test',
        reaction: 'note',
        params: { text: 'v={{ trigger.value }}' },
      },
      {
        id: 'r-2',
        ref: 'second',
        position: 1,
        phase: 'main',
        policy: { needs: ['first'] },
        service: 'test',
        reaction: 'other',
        params: { text: 'after {{ reactions.first.echoed }}', count: '{{ trigger.value }}' },
        auth: async () => ({ token: 'secret-token' }),
      },
    ],
  }
}

describe('runEvent', () => {
  let recorder: Recorder
  let engine: Engine
  beforeEach(() => {
    recorder = createRecorder()
    engine = createEngine(createRegistry([testService(recorder)]))
  })
  const run = (outcomes = memoryExecutionPort(), min = 0, event = { value: 7 }) =>
    engine.runEvent({
      area: area(min),
      event,
      hookLogId: 'log-1',
      outcomes,
      logger: silentLogger,
      signal: new AbortController().signal,
    })

  it('runs the reactions in order with rendered params, auth and idempotency keys', async () => {
    const outcomes = memoryExecutionPort()
    expect(await run(outcomes)).toEqual({ status: 'done', executed: ['first', 'second'], reused: [] })
    expect(recorder.calls).toEqual([
      {
        reaction: 'note',
        params: { text: 'v=7', level: 'info' },
        idempotencyKey: 'log-1:r-1',
        auth: undefined,
      },
      {
        reaction: 'other',
        params: { text: 'after v=7', count: 7, level: 'info' },
        idempotencyKey: 'log-1:r-2',
        auth: { token: 'secret-token' },
      },
    ])
    expect(outcomes.rows.get('r-2')).toMatchObject({
      status: 'success',
      output: { echoed: 'after v=7', count: 7 },
    })
  })

  it('lets the Action node skip an event and fire nothing', async () => {
    expect(await run(memoryExecutionPort(), 10)).toEqual({ status: 'skipped', reason: 'value 7 is below 10' })
    expect(recorder.calls).toEqual([])
  })

  it('records a failing reaction with its error and class, and stops the chain', async () => {
    recorder.failures.set('note', [permanentFailure()])
    const outcomes = memoryExecutionPort()
    const error = await run(outcomes).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReactionFailedError)
    expect(error).toMatchObject({ errorClass: 'permanent', reactionRef: 'first' })
    expect(outcomes.rows.get('r-1')).toMatchObject({
      status: 'failed',
      error: 'sink answered 400: bad request',
      errorClass: 'permanent',
    })
    expect(outcomes.rows.has('r-2')).toBe(false)
  })

  it('classes transient failures as retryable and, on retry, skips what already succeeded', async () => {
    recorder.failures.set('other', [transientFailure()])
    const outcomes = memoryExecutionPort()
    await expect(run(outcomes)).rejects.toMatchObject({ errorClass: 'retryable', reactionRef: 'second' })
    expect(outcomes.rows.get('r-2')).toMatchObject({ status: 'failed', errorClass: 'retryable' })

    expect(await run(outcomes)).toEqual({ status: 'done', executed: ['second'], reused: ['first'] })
    // The first reaction ran once in all; the second saw its output from the stored outcome.
    expect(recorder.calls.map((c) => c.reaction)).toEqual(['note', 'other'])
    expect(recorder.calls[1]?.params).toMatchObject({ text: 'after v=7' })
  })

  it('fails permanently when rendered params do not fit the schema', async () => {
    const outcomes = memoryExecutionPort()
    await expect(run(outcomes, 0, { value: 'seven' } as never)).rejects.toMatchObject({
      errorClass: 'permanent',
    })
    expect(outcomes.rows.get('r-2')?.error).toContain(
      '/reactions/second/params/count: must be a whole number',
    )
    expect(recorder.calls.map((c) => c.reaction)).toEqual(['note'])
  })
})
