/**
 * The action's `catch_up:` key offline: its forms normalize to the stored mode and max (the
 * document keeps what was written), and each misuse is reported at its line and column; the
 * slot arithmetic the claim applies (src/engine/catch-up.ts) for intervals and cron schedules.
 */
import { describe, expect, it } from 'vitest'
import { decideCatchUp } from '../../src/engine/catch-up.js'
import { createRegistry } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'
import { validateSources } from '../../src/spec/validate-files.js'

const registry = createRegistry(builtinServices)

function area(action: string): string {
  return [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata: { name: ticks }',
    'spec:',
    '  action:',
    action,
    '  reactions:',
    '    - { id: ping, service: http, reaction: request, params: { url: "https://example.com" } }',
  ].join('\n')
}

const validate = (action: string) => validateSources([{ name: 'a.yaml', text: area(action) }], registry, {})
const located = (action: string) =>
  validate(action).issues.map((i) => `${i.line}:${i.column} ${i.path} ${i.message}`)

describe('catch_up in the AREA file', () => {
  it('normalizes each form, defaults to latest, and keeps the document as written', () => {
    const cases: [string, unknown][] = [
      ['    { service: timer, action: every, params: { interval: 1h } }', { mode: 'latest', max: 1 }],
      ['    { service: timer, action: every, catch_up: none }', { mode: 'none', max: 1 }],
      ['    { service: timer, action: every, catch_up: all }', { mode: 'all', max: 10 }],
      [
        '    { service: timer, action: cron, params: { expression: "0 9 * * *" }, catch_up: { mode: all, max: 3 } }',
        { mode: 'all', max: 3 },
      ],
      [
        '    { service: rss, action: new_item, params: { url: "https://example.com/f" }, catch_up: none }',
        { mode: 'none', max: 1 },
      ],
    ]
    for (const [action, expected] of cases) {
      const result = validate(action)
      expect(result.issues, action).toEqual([])
      const normalized = result.areas[0]!.area
      expect(normalized.action.trigger, action).toMatchObject({ type: 'polling', catchUp: expected })
    }
    const written = validate('    { service: timer, action: every, catch_up: { mode: all, max: 3 } }')
      .areas[0]!.area
    expect(written.document.spec.action.catch_up).toEqual({ mode: 'all', max: 3 })
    // Not written: not added, so documents applied before the key existed keep their hash.
    const plain = validate('    { service: timer, action: every }').areas[0]!.area
    expect(plain.document.spec.action).not.toHaveProperty('catch_up')
  })

  it('reports each misuse at its line and column, with what to do', () => {
    expect(
      located(
        '    { service: rss, action: new_item, params: { url: "https://example.com/f" }, catch_up: all }',
      ),
    ).toEqual([
      expect.stringMatching(
        /^6:\d+ \/spec\/action\/catch_up catch_up: all is for timers .*rss\.new_item polls a source.*use latest or none$/,
      ),
    ])
    expect(located('    { service: webhook, action: received, catch_up: latest }')).toEqual([
      expect.stringMatching(
        /^6:\d+ \/spec\/action\/catch_up catch_up applies to polling triggers; webhook\.received .*remove catch_up$/,
      ),
    ])
    const max = located(
      '    service: timer\n    action: every\n    catch_up:\n      mode: latest\n      max: 5',
    )
    expect(max).toEqual([
      '10:12 /spec/action/catch_up/max max applies to mode all only; mode latest fires one slot: remove max',
    ])
    expect(located('    service: timer\n    action: every\n    catch_up: { mode: all, max: 5000 }')).toEqual([
      '8:33 /spec/action/catch_up/max must be at most 1000, not 5000',
    ])
    expect(located('    service: timer\n    action: every\n    catch_up: sometimes')).toEqual([
      '8:15 /spec/action/catch_up must be one of: none, latest, all, { mode: all, max: 24 }, not "sometimes"',
    ])
  })
})

describe("the claim's catch-up arithmetic", () => {
  const minute = 60_000
  const first = new Date('2026-03-01T08:00:00Z')
  const at = (ms: number) => new Date(first.getTime() + ms)
  const every = { kind: 'interval' as const, seconds: 60 }

  it('fires none, the newest, or the newest max of the missed slots, and an on-time slot always', () => {
    const late = at(2 * minute + 45_000)
    const offsets = (d: ReturnType<typeof decideCatchUp>) => d.fire.map((f) => f.getTime() - first.getTime())
    expect(offsets(decideCatchUp(every, first, late, { mode: 'none', max: 1 }))).toEqual([])
    expect(offsets(decideCatchUp(every, first, late, { mode: 'latest', max: 1 }))).toEqual([2 * minute])
    expect(offsets(decideCatchUp(every, first, late, { mode: 'all', max: 10 }))).toEqual([
      0,
      minute,
      2 * minute,
    ])
    const capped = decideCatchUp(every, first, late, { mode: 'all', max: 2 })
    expect([offsets(capped), capped.skipped, capped.next]).toEqual([[minute, 2 * minute], 1, at(3 * minute)])
    // The newest slot 10 s late is on time: every mode fires it, none skips the two before it.
    const onTime = decideCatchUp(every, first, at(2 * minute + 10_000), { mode: 'none', max: 1 })
    expect([offsets(onTime), onTime.skipped]).toEqual([[2 * minute], 2])
  })

  it('counts a year of missed one-second slots without walking them, and walks a cron schedule', () => {
    const year = decideCatchUp({ kind: 'interval', seconds: 1 }, first, at(365 * 86_400_000), {
      mode: 'all',
      max: 3,
    })
    expect(year.skipped).toBe(365 * 86_400 + 1 - 3)
    expect(year.fire.map((f) => f.toISOString())).toEqual([
      '2027-03-01T07:59:58.000Z',
      '2027-03-01T07:59:59.000Z',
      '2027-03-01T08:00:00.000Z',
    ])
    const daily = { kind: 'cron' as const, expression: '0 9 * * *', timezone: 'Europe/Paris' }
    const cron = decideCatchUp(daily, first, new Date('2026-03-04T12:00:00Z'), { mode: 'all', max: 10 })
    expect(cron.fire.map((f) => f.toISOString())).toEqual([
      '2026-03-01T08:00:00.000Z',
      '2026-03-02T08:00:00.000Z',
      '2026-03-03T08:00:00.000Z',
      '2026-03-04T08:00:00.000Z',
    ])
    expect([cron.skipped, cron.next.toISOString()]).toEqual([0, '2026-03-05T08:00:00.000Z'])
  })
})
