/**
 * The offline run of `area test` in process (src/testing/offline-run.ts): what the engine decided
 * for mocks the CLI tests do not reach (per-item answers of a for_each, a rendered param the
 * reaction refuses, an action `when` that cannot be evaluated), and the matcher of expectations.
 */
import { describe, expect, it } from 'vitest'
import { createRegistry } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'
import { normalizeArea } from '../../src/spec/normalize.js'
import { exampleEventOf } from '../../src/testing/example-event.js'
import { partialMismatch } from '../../src/testing/expectations.js'
import { runOffline } from '../../src/testing/offline-run.js'

const registry = createRegistry(builtinServices)

const area = (reactions: object[], when?: string) =>
  normalizeArea(
    {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'unit' },
      spec: {
        action: { service: 'webhook', action: 'received', ...(when ? { when } : {}) },
        reactions,
      },
    },
    registry,
  )

const request = (id: string, extra: object = {}) => ({
  id,
  service: 'http',
  reaction: 'request',
  params: { url: 'http://127.0.0.1:9/{{ trigger.path }}' },
  ...extra,
})

describe('runOffline', () => {
  it('answers each for_each item with its own mock: the first failure stops the loop', async () => {
    const run = await runOffline(
      registry,
      area([
        request('each', { for_each: 'trigger.items', params: { url: 'http://127.0.0.1:9/{{ item }}' } }),
        request('after'),
      ]),
      { path: 'p', items: ['a', 'b', 'c'] },
      { each: { items: [{ output: { n: 0 } }, { error: 'item b refused' }] } },
    )
    expect(run.status).toBe('failed')
    const [each, after] = run.reactions
    expect(each).toMatchObject({ id: 'each', status: 'failed', error: 'item 1 of 3 failed: item b refused' })
    expect(each?.items).toEqual([
      expect.objectContaining({ index: 0, status: 'succeeded', output: { n: 0 } }),
      expect.objectContaining({ index: 1, status: 'failed', error: 'item b refused' }),
    ])
    expect(after).toMatchObject({ id: 'after', status: 'not_run', reason: 'it needs "each", which failed' })
    const empty = await runOffline(
      registry,
      area([
        request('each', { for_each: 'trigger.items', params: { url: 'http://127.0.0.1:9/{{ item }}' } }),
      ]),
      { items: [] },
      {},
    )
    expect(empty.reactions[0]).toMatchObject({ status: 'succeeded', items: [], output: [] })
  })

  it('fails a reaction whose rendered params its service refuses, and an action `when` that cannot be evaluated', async () => {
    const refused = await runOffline(
      registry,
      area([request('call', { params: { url: '{{ trigger.url }}' } })]),
      { url: 'not a url' },
      {},
    )
    expect(refused).toMatchObject({ status: 'failed' })
    expect(refused.reactions[0]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('rendered params are invalid'),
    })
    const broken = await runOffline(registry, area([request('call')], 'trigger.count > 1'), { path: 'x' }, {})
    expect(broken).toMatchObject({ status: 'failed', error: expect.stringContaining('the action failed') })
    expect(broken.reactions[0]).toMatchObject({ status: 'not_run' })
  })
})

describe('partial match of params', () => {
  it('checks the keys written, lists item by item, <secret> for any redacted secret', () => {
    const got = { url: 'u', headers: { a: '<secret:0123456789ab>' }, list: [1, 2], extra: true }
    expect(partialMismatch({ url: 'u', headers: { a: '<secret>' } }, got, '')).toBeUndefined()
    expect(partialMismatch({ list: [1] }, got, '')).toEqual({ at: '/list', expected: [1], got: [1, 2] })
    expect(partialMismatch({ headers: { a: 'plain' } }, got, '')).toMatchObject({ at: '/headers/a' })
    expect(partialMismatch({ url: '<secret>' }, got, '')).toMatchObject({ at: '/url' })
    expect(partialMismatch({ missing: null }, got, '')).toEqual({
      at: '/missing',
      expected: null,
      got: undefined,
    })
  })
})

describe('exampleEventOf', () => {
  it("takes a webhook.received AREA's own declared example, else the action's", () => {
    const declared = normalizeArea(
      {
        apiVersion: 'area/v1',
        kind: 'Area',
        metadata: { name: 'orders' },
        spec: {
          action: { service: 'webhook', action: 'received', event: { example: { order: 42 } } },
          reactions: [request('r', { params: { url: 'http://127.0.0.1:9/{{ trigger.order }}' } })],
        },
      },
      registry,
    )
    expect(exampleEventOf(registry, declared)).toEqual({ order: 42 })
    expect(exampleEventOf(registry, area([request('r')]))).toEqual(
      registry.action('webhook', 'received')?.exampleEvent,
    )
  })
})

describe('secrets in area test', () => {
  it('renders {{ secrets.NAME }} as a stand-in, shown masked like a real secret', async () => {
    const run = await runOffline(
      registry,
      area([
        request('call', {
          params: {
            url: 'http://127.0.0.1:9/x',
            headers: { 'x-api-key': '{{ secrets.API_KEY }}' },
            body: { k: '{{ secrets.API_KEY }}' },
          },
        }),
      ]),
      { path: 'p' },
      {},
    )
    expect(run.status).toBe('done')
    const [call] = run.reactions
    expect(call).toMatchObject({ id: 'call', status: 'succeeded' })
    expect(JSON.stringify(call?.params)).not.toContain('stand-in')
    expect(call?.params).toMatchObject({ body: { k: expect.stringMatching(/^<secret:[0-9a-f]+>$/) } })
  })
})
