/**
 * What one event may spend: a template budget (time and rendered bytes) shared by all its strings
 * and reactions, and a ceiling on how long a reaction runs, whatever its params say.
 */
import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { type LoadedArea, type LoadedReaction, resolvePolicy } from '../../src/engine/area.js'
import { defineReaction, defineService } from '../../src/engine/define.js'
import { createRegistry } from '../../src/engine/registry.js'
import { createEngine, ReactionFailedError } from '../../src/engine/run.js'
import { silentLogger } from '../../src/engine/types.js'
import { memoryExecutionPort } from '../support/engine/memory-ports.js'
import { createRecorder, testService } from '../support/engine/test-services.js'

// One nested loop renders nothing and takes tens of milliseconds; 60 of them took 12 s in one
// event when the limit was per string.
const loop = '{% for i in (1..400) %}{% for j in (1..400) %}{% endfor %}{% endfor %}'
const settings = { timeMs: 'AREA_TEMPLATE_BUDGET_MS', maxBytes: 'AREA_TEMPLATE_MAX_BYTES' }

function areaOf(reactions: Omit<LoadedReaction, 'id' | 'position' | 'phase' | 'policy'>[]): LoadedArea {
  return {
    id: 'area-1',
    name: 'limits',
    userId: 'user-1',
    action: { id: 'act-1', service: 'test', action: 'hook', params: {} },
    reactions: reactions.map((r, position) => ({
      ...r,
      id: `r-${position}`,
      position,
      phase: 'main',
      policy: resolvePolicy({}, reactions[position - 1]?.ref),
    })),
  }
}

const note = (ref: string, text: string) => ({ ref, service: 'test', reaction: 'note', params: { text } })

async function runOf(area: LoadedArea, options: Record<string, unknown>, registry = defaultRegistry()) {
  const outcomes = memoryExecutionPort()
  const engine = createEngine(registry.registry)
  const result = await engine
    .runEvent({
      area,
      event: {},
      hookLogId: 'log-1',
      outcomes,
      logger: silentLogger,
      signal: new AbortController().signal,
      ...options,
    })
    .catch((error: unknown) => error)
  return { result, outcomes, recorder: registry.recorder }
}

function defaultRegistry() {
  const recorder = createRecorder()
  return { recorder, registry: createRegistry([testService(recorder)]) }
}

describe('the template budget of one event', () => {
  it('is shared by every string and reaction: the string that spends it fails its reaction, naming param, limit and setting', async () => {
    const texts = Array.from({ length: 6 }, () => loop).join('')
    const area = areaOf([note('first', loop), note('second', texts), note('third', texts)])
    const started = performance.now()
    const { result, outcomes, recorder } = await runOf(area, {
      templateBudget: { timeMs: 150, maxBytes: 1_000_000, settings },
    })
    const elapsed = performance.now() - started
    // Without a shared budget each string had its own second: 13 loops, several seconds.
    expect(elapsed).toBeLessThan(1_500)
    expect(result).toBeInstanceOf(ReactionFailedError)
    const error = result as ReactionFailedError
    expect(error.errorClass).toBe('permanent')
    expect(error.message).toMatch(/template in \/reactions\/(first|second)\/params\/text/)
    expect(error.message).toContain('time budget of 150 ms (AREA_TEMPLATE_BUDGET_MS)')
    // No reaction ran past the budget, and the failure is recorded for `area logs`.
    expect(recorder.calls.filter((c) => c.reaction === 'note').length).toBeLessThan(2)
    expect([...outcomes.rows.values()].some((row) => row.status === 'failed')).toBe(true)
  })

  it('counts rendered bytes across reactions and fails the one that goes over', async () => {
    const kilobyte = '{% for i in (1..100) %}0123456789{% endfor %}'
    const area = areaOf([note('first', kilobyte), note('second', kilobyte), note('third', kilobyte)])
    const { result, recorder } = await runOf(area, {
      templateBudget: { timeMs: 5_000, maxBytes: 2_500, settings },
    })
    expect(recorder.calls.map((c) => (c.params as { text: string }).text.length)).toEqual([1_000, 1_000])
    expect((result as Error).message).toContain(
      'reaction "third" failed: template in /reactions/third/params/text rendered more than the event\'s template size budget of 2500 bytes (AREA_TEMPLATE_MAX_BYTES)',
    )
  })

  it('stops a string that grows without end at the byte budget, long before memory runs out', async () => {
    const growing = '{% for i in (1..1000000) %}0123456789abcdef{% endfor %}'
    const { result } = await runOf(areaOf([note('first', growing)]), {
      templateBudget: { timeMs: 60_000, maxBytes: 100_000, settings },
    })
    expect((result as Error).message).toContain('template size budget of 100000 bytes')
  })

  it('counts a whole-expression value by its JSON size', async () => {
    const { result } = await runOf(areaOf([note('first', '{{ area }}')]), {
      templateBudget: { timeMs: 1_000, maxBytes: 5, settings },
    })
    expect((result as Error).message).toContain('template size budget of 5 bytes')
  })
})

describe('the reaction ceiling', () => {
  function hangingRegistry() {
    const calls: AbortSignal[] = []
    const hang = defineReaction({
      id: 'hang',
      name: 'hang',
      description: 'never answers and ignores its signal',
      params: Type.Object({}),
      run: (ctx) => {
        calls.push(ctx.signal)
        return new Promise(() => {})
      },
    })
    const service = defineService({
      id: 'slow',
      name: 'Slow',
      description: 'a target that never answers',
      auth: { kind: 'none' },
      actions: [],
      reactions: [hang],
    })
    const recorder = createRecorder()
    return { calls, recorder, registry: createRegistry([testService(recorder), service]) }
  }

  it('aborts a reaction that runs past it, and the failure is retryable', async () => {
    const registry = hangingRegistry()
    const area = areaOf([{ ref: 'stuck', service: 'slow', reaction: 'hang', params: {} }])
    const { result, outcomes } = await runOf(
      area,
      { reactionTimeout: { ms: 200, setting: 'AREA_REACTION_TIMEOUT_SECONDS' } },
      registry,
    )
    expect(result).toBeInstanceOf(ReactionFailedError)
    expect((result as ReactionFailedError).errorClass).toBe('retryable')
    expect((result as Error).message).toContain(
      'ran longer than the ceiling of 0.2 s (AREA_REACTION_TIMEOUT_SECONDS) and was aborted',
    )
    expect(registry.calls[0]?.aborted).toBe(true)
    expect(outcomes.rows.get('r-0')?.status).toBe('failed')
  })
})
