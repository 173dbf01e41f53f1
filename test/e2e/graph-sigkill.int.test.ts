/**
 * Issue 13's crash test: a worker process is killed (SIGKILL) in the middle of a parallel group
 * of three reactions, and its replacement in the middle of a 10-item for_each, against a local
 * sink that records each request's Idempotency-Key. Afterwards every reaction and every item has
 * arrived, and none arrived twice with different keys: only what was in flight is sent again,
 * with the same key (docs/architecture.md, "Running an AREA's graph").
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/db/open.js'
import { applyArea, sendWebhook, signup, waitFor, webhookOf } from '../support/api/client.js'
import { openTopology, printLogsOnFailure, shortLeases, type Topology } from '../support/daemon/topology.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { webhookAction } from '../support/sink/sink-areas.js'

const items = 10

describe('SIGKILL a worker mid parallel group and mid for_each', () => {
  let topology: Topology
  let store: Store
  let sink: HttpSink
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({
      name: 'graph-sigkill',
      env: { AREA_SIGNUP: 'open', LOG_LEVEL: 'info', ...shortLeases },
      startTimeoutMs: 120_000,
    })
    store = await topology.migrate()
    sink = await startHttpSink()
  }, 180_000)
  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 120_000)

  it('sends every reaction and item, each with one key, after two workers die mid-run', async () => {
    const [api] = await topology.start('api', 'worker', 'scheduler')
    const user = await signup(api.url, 'sigkill@example.test')
    const post = (id: string, path: string, extra: object = {}) => ({
      id,
      service: 'http',
      reaction: 'request',
      ...extra,
      params: { url: `${sink.url}${path}`, body: { i: '{{ index }}', item: '{{ item }}' } },
    })
    // p1..p3 at once, then `each` once per item, after all three.
    await applyArea(user, {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'graph' },
      spec: {
        action: webhookAction,
        reactions: [
          { ...post('p1', '/par/p1', { needs: [] }), params: { url: `${sink.url}/par/p1` } },
          { ...post('p2', '/par/p2', { needs: [] }), params: { url: `${sink.url}/par/p2` } },
          { ...post('p3', '/par/p3', { needs: [] }), params: { url: `${sink.url}/par/p3` } },
          post('each', '/item', { needs: ['p1', 'p2', 'p3'], for_each: 'trigger.items' }),
        ],
      },
    } as never)
    const { rows: reactions } = await sql<{ id: string; ref: string }>`
      select r.id, r.ref from area.area_reactions r join area.areas a on a.id = r.area_id
      where a.name = 'graph'`.execute(store.db)
    const idOf = Object.fromEntries(reactions.map((r) => [r.ref, r.id]))

    // Slow answers keep reactions in flight long enough to kill the worker there.
    sink.respond = (request) => ({
      status: 200,
      body: { ok: true },
      delayMs: request.path.startsWith('/par/') ? 1_500 : 400,
    })
    const target = await webhookOf(user, 'graph')
    const sent = await sendWebhook(target, { items: Array.from({ length: items }, (_, i) => `item-${i}`) })
    expect(sent.status).toBeLessThan(300)

    const count = (prefix: string) => sink.requests.filter((r) => r.path.startsWith(prefix)).length
    // All three of the group are in flight together (the bound is 4): kill their worker.
    await waitFor('the parallel group in flight', async () => (count('/par/') >= 3 ? true : undefined))
    await topology.running('worker')[0]!.kill()
    await topology.start('worker')
    // Its replacement takes the event over after the lease, re-sends the group, and gets into the
    // items: kill it in the middle of them.
    await waitFor(
      'the for_each half-way',
      async () => (count('/item') >= items / 2 ? true : undefined),
      120_000,
    )
    await topology.running('worker')[0]!.kill()
    await topology.start('worker')

    const { rows } = await waitFor(
      'the event done',
      async () => {
        const result = await sql<{ id: string; status: string; attempts: number }>`
          select id, status, attempts from area.hook_logs`.execute(store.db)
        return result.rows[0]?.status === 'done' ? result : undefined
      },
      180_000,
    )
    const hookLogId = rows[0]!.id
    expect(rows[0]!.attempts).toBeGreaterThanOrEqual(3)

    // One key per logical send, the expected one, and every send arrived.
    const keysOf = new Map<string, Set<string>>()
    for (const r of sink.requests) {
      const body = r.json as { i?: string } | undefined
      const unit = r.path === '/item' ? `item ${body?.i}` : r.path
      const keys = keysOf.get(unit) ?? new Set()
      keys.add(String(r.headers['idempotency-key']))
      keysOf.set(unit, keys)
    }
    const expected = new Map<string, string>([
      ['/par/p1', `${hookLogId}:${idOf.p1}`],
      ['/par/p2', `${hookLogId}:${idOf.p2}`],
      ['/par/p3', `${hookLogId}:${idOf.p3}`],
      ...Array.from(
        { length: items },
        (_, i) => [`item ${i}`, `${hookLogId}:${idOf.each}:${i}`] as [string, string],
      ),
    ])
    expect(Object.fromEntries([...keysOf].map(([unit, keys]) => [unit, [...keys]]))).toEqual(
      Object.fromEntries([...expected].map(([unit, key]) => [unit, [key]])),
    )
    // Items in order: each item's first request came after the one before's.
    const firstItemRequests = sink.requests
      .filter((r) => r.path === '/item')
      .map((r) => Number((r.json as { i: string }).i))
      .filter((i, at, all) => all.indexOf(i) === at)
    expect(firstItemRequests).toEqual(Array.from({ length: items }, (_, i) => i))
    // Re-sends happened only for what was in flight at a kill: at most the group, then one item.
    const total = sink.requests.length
    expect(total - expected.size).toBeLessThanOrEqual(3 + 1)
    console.info(`graph SIGKILL: ${total - expected.size} sends repeated with their key after the kills`)
  }, 420_000)
})
