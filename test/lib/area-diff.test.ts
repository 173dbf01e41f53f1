import { describe, expect, it } from 'vitest'
import { documentChanges, inSchemaOrder, planOf } from '../../src/lib/area-diff.js'
import { colorsFor } from '../../src/lib/colors.js'
import { planLines, planSummary } from '../../src/lib/plan-output.js'

const plain = colorsFor({ isTTY: false }, { NO_COLOR: '1' })

const stored = {
  // As Postgres jsonb gives it back: shorter keys first.
  kind: 'Area',
  spec: {
    action: { params: { interval: '5m' }, action: 'every', service: 'timer' },
    enabled: true,
    reactions: [
      {
        id: 'log',
        params: { url: 'http://127.0.0.1/a', method: 'POST' },
        reaction: 'request',
        service: 'http',
      },
    ],
  },
  metadata: { labels: { team: 'infra' }, name: 'alpha' },
  apiVersion: 'area/v1',
}
const file = {
  apiVersion: 'area/v1',
  kind: 'Area',
  metadata: { name: 'alpha', labels: { team: 'infra' } },
  spec: {
    enabled: false,
    action: { service: 'timer', action: 'every', params: { interval: '10m' } },
    reactions: [
      {
        id: 'log',
        service: 'http',
        reaction: 'request',
        params: { method: 'POST', url: 'http://127.0.0.1/a' },
      },
    ],
  },
}

describe('area diff', () => {
  it('puts documents in the schema order, params sorted', () => {
    const ordered = inSchemaOrder(stored) as typeof file
    expect(Object.keys(ordered)).toEqual(['apiVersion', 'kind', 'metadata', 'spec'])
    expect(Object.keys(ordered.metadata)).toEqual(['name', 'labels'])
    expect(Object.keys(ordered.spec)).toEqual(['enabled', 'action', 'reactions'])
    expect(Object.keys(ordered.spec.action)).toEqual(['service', 'action', 'params'])
    expect(Object.keys(ordered.spec.reactions[0] ?? {})).toEqual(['id', 'service', 'reaction', 'params'])
    expect(Object.keys(ordered.spec.reactions[0]?.params ?? {})).toEqual(['method', 'url'])
  })

  it('lists only the changed paths, whatever the key order', () => {
    expect(documentChanges(inSchemaOrder(stored), inSchemaOrder(file))).toEqual([
      { path: 'spec.enabled', before: true, after: false },
      { path: 'spec.action.params.interval', before: '5m', after: '10m' },
    ])
    expect(documentChanges({ a: { 'content-type': 'x' } }, { a: {}, b: [1] })).toEqual([
      { path: 'a["content-type"]', before: 'x' },
      { path: 'b', after: [1] },
    ])
  })

  it('prints a Terraform-style plan and its summary', () => {
    const plan = planOf([
      { name: 'alpha', outcome: 'updated', changes: ['enabled'], before: stored, after: file },
      { name: 'beta', outcome: 'created', changes: [] },
      { name: 'same', outcome: 'unchanged', changes: [] },
      { name: 'gone', outcome: 'deleted', changes: [] },
    ])
    expect(planLines(plan, plain)).toEqual([
      '~ alpha (update)',
      '    spec.enabled',
      '      - true',
      '      + false',
      '    spec.action.params.interval',
      '      - "5m"',
      '      + "10m"',
      '+ beta (create)',
      '- gone (delete)',
    ])
    expect(planSummary(plan)).toBe('Plan: 1 to create, 1 to update, 1 to delete.')
    expect(planSummary(planOf([{ name: 'same', outcome: 'unchanged', changes: [] }]))).toBe('No changes.')
  })
})

describe('inSchemaOrder and the AREA language', () => {
  it('puts the new keys after what a reaction is, before its params, and on_failure after reactions', () => {
    const reaction = {
      params: { url: 'https://e.com' },
      timeout: '30s',
      retry: { max_delay: '1m', attempts: 3 },
      needs: ['a'],
      when: 'true',
      id: 'b',
      continue_on_error: true,
      for_each: '[1]',
      reaction: 'request',
      service: 'http',
    }
    const ordered = inSchemaOrder({
      spec: {
        on_failure: [reaction],
        reactions: [reaction],
        action: { when: 'true', service: 'webhook', params: {}, action: 'received' },
      },
    }) as { spec: Record<string, Record<string, unknown>> }
    const order = ['id', 'service', 'reaction', 'when', 'needs', 'for_each', 'continue_on_error']
    const expected = [...order, 'retry', 'timeout', 'params']
    expect(Object.keys(ordered.spec)).toEqual(['action', 'reactions', 'on_failure'])
    expect(Object.keys(ordered.spec.action ?? {})).toEqual(['service', 'action', 'when', 'params'])
    for (const list of [ordered.spec.reactions, ordered.spec.on_failure] as unknown as Record<
      string,
      unknown
    >[][]) {
      expect(Object.keys(list[0] ?? {})).toEqual(expected)
      expect(Object.keys(list[0]?.retry as object)).toEqual(['attempts', 'max_delay'])
    }
  })
})
