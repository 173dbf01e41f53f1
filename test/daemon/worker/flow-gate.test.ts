/**
 * Flow control's gate on the in-process store (the embedded queue's): what an event of an AREA
 * with concurrency, rate_limit or debounce is told before its claim, and that an AREA without
 * any costs no store call. The Redis store is exercised by test/e2e/flow-control.int.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { JobDeferredError } from '../../../src/daemon/queue/types.js'
import { createFlowGate, type FlowPass } from '../../../src/daemon/worker/flow-gate.js'
import { type FlowStore, memoryFlowStore } from '../../../src/daemon/worker/flow-store.js'
import { RetryableError } from '../../../src/engine/errors.js'
import type { FlowPolicy } from '../../../src/engine/flow.js'
import { ReactionFailedError } from '../../../src/engine/run.js'
import { silentLogger } from '../../../src/engine/types.js'

function setup(
  flow: FlowPolicy | undefined,
  events: Record<string, { event: unknown; arrivedUs: number }> = {},
) {
  let clock = 1_000_000
  const store = memoryFlowStore(() => clock)
  const calls: string[] = []
  const counting =
    <A extends unknown[], R>(name: string, call: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(name)
      return call(...args)
    }
  const counted: FlowStore = {
    acquire: counting('acquire', store.acquire),
    reserve: counting('reserve', store.reserve),
    hold: counting('hold', store.hold),
    debounce: counting('debounce', store.debounce),
    close: () => store.close(),
  }
  const waits: string[] = []
  const gate = createFlowGate({
    store: counted,
    areaFlow: async () => {
      calls.push('areaFlow')
      return { areaId: 'area-1', areaName: 'a', userId: 'user-1', flow }
    },
    pendingEvent: async (id) => events[id] as never,
    logger: silentLogger,
    onWait: (reason) => waits.push(reason),
  })
  const enter = (hookLogId: string, attempt = 1) =>
    gate.enter({ hookLogId, areaActionId: 'action-1' }, attempt)
  const deferral = async (hookLogId: string): Promise<JobDeferredError> => {
    try {
      await enter(hookLogId)
    } catch (error) {
      if (error instanceof JobDeferredError) return error
      throw error
    }
    throw new Error(`${hookLogId} was not deferred`)
  }
  return { gate, enter, deferral, calls, waits, tick: (ms: number) => (clock += ms) }
}

const run = (pass: FlowPass | undefined) => {
  if (pass?.kind !== 'run') throw new Error(`expected a run, got ${pass?.kind}`)
  return pass
}

describe('flow gate', () => {
  it('takes no step for an AREA without flow control: its keys are read once, then no store call', async () => {
    const { enter, calls } = setup(undefined)
    expect(await enter('e1')).toBeUndefined()
    expect(await enter('e2')).toBeUndefined()
    expect(await enter('e3')).toBeUndefined()
    expect(calls).toEqual(['areaFlow'])
  })

  it('concurrency: a second event waits for a place, per key when a key is given', async () => {
    const { enter, deferral, waits, gate } = setup(
      { concurrency: { limit: 1, key: 'trigger.repo' } },
      {
        a1: { event: { repo: 'a' }, arrivedUs: 1 },
        a2: { event: { repo: 'a' }, arrivedUs: 2 },
        b1: { event: { repo: 'b' }, arrivedUs: 3 },
        x1: { event: {}, arrivedUs: 4 },
      },
    )
    const first = run(await enter('a1'))
    expect((await deferral('a2')).message).toContain(
      'concurrency: 1 event of this AREA already run for this key',
    )
    run(await enter('b1')) // another key runs beside it
    run(await enter('x1')) // a key that cannot be evaluated is a key of its own, not a failure
    expect(gate.waiting().concurrency).toBe(1)
    await first.release()
    run(await enter('a2'))
    expect(waits).toEqual(['concurrency'])
  })

  it('rate_limit: starts are spaced to the window, and a Retry-After holds the further ones', async () => {
    const { enter, deferral, tick } = setup({ rateLimit: { events: 2, perMs: 1_000 } })
    run(await enter('e1'))
    run(await enter('e2'))
    const third = await deferral('e3')
    expect(third.delayMs).toBe(1_000)
    // Asked again, the event keeps its reservation rather than taking another place.
    tick(400)
    expect((await deferral('e3')).delayMs).toBe(600)
    tick(600)
    const passed = run(await enter('e3'))
    // The target answers 429 with Retry-After: 5 s: nothing more starts until then.
    const answer = new RetryableError('429 Too Many Requests', { retryAfterMs: 5_000 })
    await passed.failed(new ReactionFailedError(null, answer))
    tick(1_000)
    const held = await deferral('e4')
    expect(held.message).toContain('Retry-After')
    expect(held.delayMs).toBe(4_000)
    tick(4_000)
    run(await enter('e4'))
    // The queue's own waits are not a target's answer: no hold.
    await run(await enter('e5')).failed(new RetryableError('busy', { retryAfterMs: 60_000 }))
    tick(1_000)
    run(await enter('e6'))
  })

  it('rate_limit with a connection: the user’s AREAs naming it share one budget, other users do not', async () => {
    let clock = 1_000_000
    const store = memoryFlowStore(() => clock)
    const owners: Record<string, { areaId: string; userId: string }> = {
      one: { areaId: 'area-1', userId: 'user-1' },
      two: { areaId: 'area-2', userId: 'user-1' },
      stranger: { areaId: 'area-3', userId: 'user-2' },
    }
    const gate = createFlowGate({
      store,
      areaFlow: async (action) => ({
        ...owners[action]!,
        areaName: action,
        flow: { rateLimit: { events: 1, perMs: 1_000, connection: 'github' } },
      }),
      pendingEvent: async () => undefined,
      logger: silentLogger,
    })
    const enter = (hookLogId: string, areaActionId: string) => gate.enter({ hookLogId, areaActionId }, 1)
    run(await enter('e1', 'one'))
    await expect(enter('e2', 'two')).rejects.toBeInstanceOf(JobDeferredError)
    // Another user's connection of the same name is theirs alone.
    run(await enter('e3', 'stranger'))
    clock += 1_000
    run(await enter('e2', 'two'))
  })

  it('debounce: the last event of a burst runs once its wait is over; the earlier ones are superseded', async () => {
    const events = {
      e1: { event: { n: 1 }, arrivedUs: 10 },
      e2: { event: { n: 2 }, arrivedUs: 20 },
      e3: { event: { n: 3 }, arrivedUs: 30 },
    }
    const { enter, deferral, tick, waits } = setup({ debounce: { waitMs: 2_000 } }, events)
    expect((await deferral('e1')).delayMs).toBe(2_000)
    tick(500)
    expect((await deferral('e3')).delayMs).toBe(2_000)
    // e2 arrived before e3 but reaches the gate after it: it is not the last.
    expect(await enter('e2')).toMatchObject({ kind: 'superseded' })
    tick(2_000)
    expect(await enter('e1')).toMatchObject({ kind: 'superseded' })
    run(await enter('e3'))
    // A retry of the event that ran runs again.
    run(await enter('e3', 2))
    expect(waits).toEqual(['debounce', 'debounce'])
  })

  it('debounce per key: bursts of different keys end apart', async () => {
    const { enter, deferral, tick } = setup(
      { debounce: { waitMs: 1_000, key: 'trigger.issue' } },
      {
        a: { event: { issue: 1 }, arrivedUs: 1 },
        b: { event: { issue: 2 }, arrivedUs: 2 },
      },
    )
    await deferral('a')
    await deferral('b')
    tick(1_000)
    run(await enter('a'))
    run(await enter('b'))
  })

  it('lets an event whose row is finished or gone through, for the claim to end its job', async () => {
    const { enter } = setup({ debounce: { waitMs: 1_000 } })
    expect(await enter('gone')).toBeUndefined()
  })
})
