/**
 * The AREA language's keys (when, needs, for_each, continue_on_error, retry, timeout, on_failure)
 * checked offline: a file using every key passes and normalizes to the stored form; a file with
 * one mistake of each kind lists every one at its line and column (test/fixtures/area-language/).
 */
import { describe, expect, it } from 'vitest'
import { describeFlow, flowOf } from '../../src/engine/flow.js'
import { createRegistry } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'
import { normalizeArea } from '../../src/spec/normalize.js'
import { validateFiles, validateSources } from '../../src/spec/validate-files.js'

const registry = createRegistry(builtinServices)
const fixture = (name: string) => `test/fixtures/area-language/${name}.yaml`

const located = (issues: { line: number | null; column: number | null; path: string; message: string }[]) =>
  issues.map((i) => `${i.line}:${i.column} ${i.path} ${i.message}`)

describe('the AREA language, offline', () => {
  it('accepts a file using every key and normalizes each reaction to its phase and stored policy', async () => {
    const result = await validateFiles([fixture('every-key')], registry, {})
    expect(result.issues).toEqual([])
    const area = result.areas[0]?.area
    expect(area?.action.when).toBe(
      'trigger.body.action == "opened" && trigger.body.labels.exists(l, l.name == "bug")',
    )
    expect(area?.reactions.map((r) => [r.ref, r.phase, r.policy])).toEqual([
      [
        'triage',
        'main',
        {
          when: 'size(trigger.body.title) > 0',
          retry: { attempts: 5, backoff: 'exponential', delayMs: 2000, maxDelayMs: 60000 },
          timeoutMs: 30000,
        },
      ],
      [
        'label',
        'main',
        {
          forEach: 'trigger.body.labels.filter(l, l.name != "bug")',
          needs: ['triage'],
          continueOnError: true,
        },
      ],
      ['announce', 'main', { needs: [] }],
      ['close_loop', 'main', { needs: ['label', 'announce'] }],
      ['alert', 'on_failure', { when: 'error.attempt >= 1' }],
      // No needs written: the stored form leaves it out, the loader reads "the one above".
      ['page', 'on_failure', {}],
    ])
  })

  it('keeps every key as written in the canonical document, and the hash covers them', async () => {
    const result = await validateFiles([fixture('every-key')], registry, {})
    const area = result.areas[0]?.area
    const doc = area?.document
    expect(doc?.spec.action.when).toContain('exists(l, l.name == "bug")')
    expect(doc?.spec.reactions[0]).toMatchObject({
      id: 'triage',
      when: 'size(trigger.body.title) > 0',
      retry: { attempts: 5, backoff: 'exponential', delay: '2s', max_delay: '1m' },
      timeout: '30s',
    })
    expect(doc?.spec.reactions[1]).toMatchObject({ needs: ['triage'], continue_on_error: true })
    expect(doc?.spec.reactions[2]?.needs).toEqual([])
    expect(doc?.spec.on_failure?.map((r) => r.id)).toEqual(['alert', 'page'])
    // The document normalizes to itself (what export prints applies unchanged).
    const again = normalizeArea(JSON.parse(JSON.stringify(doc)), registry)
    expect(again.document).toEqual(doc)
    expect(again.specHash).toBe(area?.specHash)
    const changed = JSON.parse(JSON.stringify(doc))
    changed.spec.reactions[0].when = 'size(trigger.body.title) > 1'
    expect(normalizeArea(changed, registry).specHash).not.toBe(area?.specHash)
  })

  it('lists every mistake of the language in one run, each at its line and column', async () => {
    const result = await validateFiles([fixture('mistakes')], registry, {})
    expect(result.valid).toBe(false)
    expect(located(result.issues)).toEqual([
      '11:32 /spec/action/when when: does not parse: Unexpected token: EOF',
      '16:15 /spec/reactions/0/needs/0 needs unknown reaction "frist"; did you mean "first"? (reactions: first, second, third)',
      `17:14 /spec/reactions/0/when when: reads "item", which it cannot read here: item and index exist only in the params of a for_each reaction; to filter items, filter the list: for_each: 'trigger.items.filter(i, i.open)' (it can read: trigger, reactions, area)`,
      '18:22 /spec/reactions/0/params/url template reads "item", which exists only in a reaction with for_each',
      '22:15 /spec/reactions/1/needs/0 needs form a cycle: second → third → second; remove one of these needs',
      '23:17 /spec/reactions/1/for_each for_each: a for_each expression must give a list; this one gives an int',
      '24:26 /spec/reactions/1/retry/attempts must be at most 10, not 11',
      '24:37 /spec/reactions/1/retry/delay must be between 1s and 1h, not 2h',
      '24:52 /spec/reactions/1/retry/max_delay must be a duration such as 30s, 5m or 1h30m (whole numbers with units d, h, m, s, largest first), not "soon"',
      '25:16 /spec/reactions/1/timeout must be between 1s and 15m, not 20m',
      '26:22 /spec/reactions/1/params/url template reads reactions.first, but "first" does not finish before this reaction (it can read: third); add first to needs',
      '30:23 /spec/reactions/2/needs/1 reaction "third" cannot need itself',
      '30:30 /spec/reactions/2/needs/2 a reaction can only need other reactions, and "alert" is in on_failure (on_failure runs only after the run failed)',
      '31:22 /spec/reactions/2/params/url template reads "error", which exists only in on_failure reactions',
      '33:11 /spec/on_failure/0/id reaction id "first" is used twice (ids are unique across reactions and on_failure)',
      '36:15 /spec/on_failure/0/needs/0 an on_failure reaction can only need other on_failure reactions, and "second" is in reactions (the failure already carries it: read {{ error.reaction }})',
      '37:13 /spec/on_failure/0/when when: a when expression must give a bool; this one gives an int',
      '42:22 /spec/on_failure/1/params/url template reads "item", which exists only in a reaction with for_each',
    ])
  })

  const area = (spec: string) =>
    [
      'apiVersion: area/v1',
      'kind: Area',
      'metadata: { name: one }',
      'spec:',
      '  action: { service: webhook, action: received }',
      spec,
    ].join('\n')
  const check = (text: string) => located(validateSources([{ name: 'a.yaml', text }], registry, {}).issues)

  it('names a longer cycle, and reads a missing needs as "the reaction above"', () => {
    const reaction = (id: string, extra = '') =>
      `    - { id: ${id}, service: http, reaction: request, params: { url: https://e.com }${extra} }`
    expect(
      check(
        area(
          [
            '  reactions:',
            reaction('a', ', needs: [c]'),
            reaction('b'), // needs a
            reaction('c'), // needs b: a → c → b → a
          ].join('\n'),
        ),
      ),
    ).toEqual(['7:90 /spec/reactions/0/needs/0 needs form a cycle: a → c → b → a; remove one of these needs'])
  })

  it('lets an on_failure reaction read error and its ancestors, a for_each reaction item and index', () => {
    const text = area(
      [
        '  reactions:',
        '    - id: fan',
        '      service: http',
        '      reaction: request',
        "      for_each: '[1, 2, 3]'",
        "      params: { url: 'https://e.com/{{ index }}/{{ item }}' }",
        '  on_failure:',
        '    - id: note',
        '      service: http',
        '      reaction: request',
        "      params: { url: 'https://e.com/{{ error.reaction }}' }",
        '    - id: after',
        '      service: http',
        '      reaction: request',
        "      params: { url: 'https://e.com/{{ reactions.note.status }}' }",
      ].join('\n'),
    )
    expect(check(text)).toEqual([])
  })

  it('lets an expression read reactions.<id> only for what the reaction needs', () => {
    const text = area(
      [
        '  reactions:',
        '    - { id: a, service: http, reaction: request, params: { url: https://e.com } }',
        '    - id: b',
        '      service: http',
        '      reaction: request',
        '      needs: []',
        "      when: 'reactions.a.status == 200 && reactions.ghost.ok'",
        '      params: { url: https://e.com }',
        '    - id: c',
        '      service: http',
        '      reaction: request',
        '      needs: [b]',
        "      for_each: 'reactions.b.body.items + reactions.a.body.items'",
        '      params: { url: https://e.com }',
      ].join('\n'),
    )
    expect(check(text)).toEqual([
      '12:14 /spec/reactions/1/when when: it reads reactions.a, but "a" does not finish before this reaction (it can read: none); add a to needs',
      '12:43 /spec/reactions/1/when when: it reads reactions.ghost, but there is no reaction "ghost" (it can read: none)',
      '18:43 /spec/reactions/2/for_each for_each: it reads reactions.a, but "a" does not finish before this reaction (it can read: b); add a to needs',
    ])
  })

  it('refuses more than 10 on_failure reactions and unknown keys with a did-you-mean', () => {
    const many = Array.from(
      { length: 11 },
      (_, i) => `    - { id: f${i}, service: http, reaction: request, params: { url: https://e.com } }`,
    )
    const text = area(
      [
        '  reactions:',
        '    - { id: a, service: http, reaction: request, params: { url: https://e.com }, for_eahc: x }',
        '  on_failure:',
        ...many,
      ].join('\n'),
    )
    expect(check(text)).toEqual([
      expect.stringMatching(
        /^7:82 \/spec\/reactions\/0\/for_eahc is not a known field; did you mean "for_each"\?/,
      ),
      '8:3 /spec/on_failure must list at most 10 items (it has 11)',
    ])
  })
})

describe('flow control keys, offline', () => {
  const doc = (flow: string) =>
    [
      'apiVersion: area/v1',
      'kind: Area',
      'metadata: { name: flowing }',
      'spec:',
      '  action: { service: webhook, action: received }',
      flow,
      '  reactions:',
      '    - { id: post, service: http, reaction: request, params: { url: "https://example.com" } }',
    ].join('\n')

  it('keeps concurrency, rate_limit and debounce as written in the canonical document (export prints them)', () => {
    const text = doc(
      [
        '  concurrency: { limit: 2, key: trigger.repository.id }',
        '  rate_limit: { events: 10, per: 1m }',
        '  debounce: 30s',
      ].join('\n'),
    )
    const { areas, issues } = validateSources([{ name: 'f.yaml', text }], registry, {})
    expect(issues).toEqual([])
    const document = areas[0]?.area.document
    expect(document?.spec).toMatchObject({
      concurrency: { limit: 2, key: 'trigger.repository.id' },
      rate_limit: { events: 10, per: '1m' },
      debounce: '30s',
    })
    // Applying the exported document again gives the same document and hash: a no-op.
    const again = normalizeArea(document, registry)
    expect(again.document).toEqual(document)
    expect(again.specHash).toBe(areas[0]?.area.specHash)
    // The keys change the hash: a changed limit is a change to apply.
    const plain = validateSources([{ name: 'g.yaml', text: doc('') }], registry, {}).areas[0]?.area
    expect(plain?.specHash).not.toBe(areas[0]?.area.specHash)
    expect(plain?.document.spec).not.toHaveProperty('concurrency')
  })

  it('reads the stored keys as the worker applies them, and nothing when none is declared', () => {
    expect(flowOf({ action: {}, reactions: [] })).toBeUndefined()
    expect(
      flowOf({
        concurrency: { limit: 1, key: 'trigger.repo' },
        rate_limit: { events: 5, per: '1m', connection: 'gh' },
        debounce: { wait: '30s', key: 'trigger.n' },
      }),
    ).toEqual({
      concurrency: { limit: 1, key: 'trigger.repo' },
      rateLimit: { events: 5, perMs: 60_000, connection: 'gh' },
      debounce: { waitMs: 30_000, key: 'trigger.n' },
    })
    expect(flowOf({ concurrency: 3, debounce: '2s' })).toEqual({
      concurrency: { limit: 3 },
      debounce: { waitMs: 2_000 },
    })
    expect(describeFlow({ concurrency: 1, rate_limit: { events: 10, per: '1m' }, debounce: '30s' })).toEqual([
      'concurrency: 1 at once',
      'rate_limit: 10 per 1m; honours Retry-After',
      'debounce: 30s, last event of a burst',
    ])
  })

  it('lists every flow control mistake at its line and column', async () => {
    const result = await validateFiles([fixture('flow-mistakes')], registry, {})
    expect(result.valid).toBe(false)
    expect(located(result.issues)).toEqual([
      '11:25 /spec/concurrency/limit must be at least 1, not 0',
      '11:48 /spec/concurrency/key key: does not parse: Unexpected token: EOF',
      '12:34 /spec/rate_limit/per must be between 1s and 1d, not 2d',
      '12:50 /spec/rate_limit/connection this AREA uses no connection "gh-wrok": name one its action or a reaction uses (it uses none)',
      '13:21 /spec/debounce/wait must be between 1s and 1h, not 2h',
      '28:33 /spec/concurrency/key key: a key expression must give a string, a number or a bool; this one gives a list',
      '29:34 /spec/rate_limit/per must be a duration such as 30s, 5m or 1h30m (whole numbers with units d, h, m, s, largest first), not "soon"',
      '30:13 /spec/debounce must be between 1s and 1h, not 0s',
    ])
  })
})
