/**
 * Templates render on worker threads: a hostile template holds a render thread, never the event
 * loop, and the threads are shared fairly between users.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRenderPool } from '../../../src/daemon/worker/render-pool.js'
import { type TemplateScope, templateBudget } from '../../../src/engine/templates.js'

const scope: TemplateScope = { trigger: { name: 'ada' }, reactions: {}, area: { name: 'fair' } }
const hostile = '{% for i in (1..3000) %}{% for j in (1..3000) %}{% endfor %}{% endfor %}'
const settings = { timeMs: 'AREA_TEMPLATE_BUDGET_MS', maxBytes: 'AREA_TEMPLATE_MAX_BYTES' }
const budget = (timeMs: number) => templateBudget({ timeMs, maxBytes: 1_000_000, settings })

describe('the render pool', () => {
  const pool = createRenderPool(2)
  beforeAll(() => pool.ready)
  afterAll(() => pool.close())

  it('renders params like the engine does, charging the budget', async () => {
    const spent = budget(1_000)
    const rendered = await pool.forUser('u1')({ text: 'hi {{ trigger.name }}', n: 3 }, scope, spent, '/p')
    expect(rendered).toEqual({ text: 'hi ada', n: 3 })
    expect(spent.usedBytes).toBe(6)
  })

  it('keeps the event loop free while a hostile template spends its budget on a thread', async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    const spent = budget(2_000)
    const failure = await pool
      .forUser('u1')({ a: hostile, b: hostile }, scope, spent, '/reactions/r1/params')
      .catch((error: Error) => error)
    delay.disable()
    // Either string may be the one that crosses the budget, depending on which thread ran first.
    expect((failure as Error).message).toMatch(
      /^template in \/reactions\/r1\/params\/[ab] ran past the event's template time budget of 2000 ms \(AREA_TEMPLATE_BUDGET_MS\)/,
    )
    // Rendered on this thread, the loop would be held for the whole 2 s budget.
    expect(delay.max / 1e6).toBeLessThan(250)
  })

  it("serves another user's render while one user keeps every thread it may have busy", async () => {
    const order: string[] = []
    const heavy = Array.from({ length: 4 }, (_, i) =>
      pool
        .forUser('heavy')({ a: hostile }, scope, budget(600), '/p')
        .catch(() => undefined)
        .then(() => order.push(`heavy-${i}`)),
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    const light = pool
      .forUser('light')({ text: '{{ trigger.name }}' }, scope, budget(1_000), '/p')
      .then(() => order.push('light'))
    await Promise.all([...heavy, light])
    // The heavy user may hold one of the two threads; the light render takes the other at once.
    expect(order[0]).toBe('light')
  })
})
