/**
 * Replays through the API, on both drivers, with the worker's execution handler run in-process
 * on the events (the `test` service records each call and its idempotency key): succeeded
 * reactions and for_each items are never called again, the rest keep their keys; filters and
 * ids only ever reach the caller's events; the bulk cap; dry runs change nothing; audit rows;
 * `--revision original` runs the old document, and is refused when it cannot.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { readLimitsSettings } from '../../../src/daemon/config-limits.js'
import type { ExecutionJobData } from '../../../src/daemon/queue/types.js'
import type { WorkerDeps } from '../../../src/daemon/worker/deps.js'
import { executeEvent } from '../../../src/daemon/worker/execute-event.js'
import { PermanentError } from '../../../src/engine/errors.js'
import { silentLogger } from '../../../src/engine/types.js'
import { type Caller, expectProblem, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'
import { permanentFailure } from '../../support/engine/test-services.js'

interface Answer {
  dryRun: boolean
  revision: string
  matched: number
  limit: number
  events: Array<{
    id: string
    status: string
    revision: number
    kept: string[]
    rerun: string[]
    replay: number | null
  }>
  refused: Array<{ id: string; reason: string }>
}

const area = (name: string, reactions: object[]) => ({
  apiVersion: 'area/v1',
  kind: 'Area',
  metadata: { name },
  spec: { action: { service: 'test', action: 'hook' }, reactions },
})
const pair = (bText = 'b {{ trigger.value }}') =>
  area('pair', [
    { id: 'a', service: 'test', reaction: 'note', params: { text: 'a {{ trigger.value }}' } },
    { id: 'b', service: 'test', reaction: 'other', params: { text: bText } },
  ])
const loop = area('loop', [
  {
    id: 'each',
    service: 'test',
    reaction: 'note',
    for_each: '[1, 2, 3]',
    params: { text: 'item {{ item }}' },
  },
])

describe.each(drivers)('replays API and worker (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let alice: Caller
  let bob: Caller

  beforeAll(async () => {
    t = await openTestDaemonContext(driver, {
      config: { limits: { ...readLimitsSettings({}, []), maxReplayEvents: 2, maxRevisionsPerArea: 3 } },
    })
    app = await buildApp(t.ctx)
    alice = await signUp(app)
    bob = await signUp(app)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  const deps = (): WorkerDeps => ({
    db: t.ctx.store.db,
    engine: t.ctx.engine,
    secrets: t.ctx.secrets,
    logger: silentLogger,
    leaseSeconds: 60,
    enqueueExecutions: async () => {},
  })
  /** Runs a job as the worker would, on its last attempt: a failure is final. */
  const execute = async (job: ExecutionJobData) => {
    await executeEvent(deps(), job, {
      attempt: 1,
      maxAttempts: 1,
      signal: new AbortController().signal,
    }).catch(() => 'failed')
  }
  const put = async (document: object) => {
    const response = await alice.call(
      'PUT',
      `/v1/areas/${(document as { metadata: { name: string } }).metadata.name}`,
      document,
    )
    expect(response.statusCode, response.body).toBeLessThan(300)
  }
  /** Fires the AREA and runs its event; answers the event's id. */
  const fire = async (name: string, value: number) => {
    const run = await alice.call('POST', `/v1/areas/${name}/run`, { event: { value } })
    expect(run.statusCode, run.body).toBe(202)
    const id = (run.json() as { hookLogId: string }).hookLogId
    const job = t.enqueued.find((j) => j.hookLogId === id)
    await execute(job!)
    return id
  }
  const event = async (id: string) => (await alice.call('GET', `/v1/events/${id}`)).json()
  const replayJobs = (id: string) => t.enqueued.filter((j) => j.hookLogId === id && j.replay !== undefined)
  const reactionId = async (name: string, ref: string) =>
    (
      await t.ctx.store.db
        .selectFrom('area_reactions as ar')
        .innerJoin('areas as a', 'a.id', 'ar.area_id')
        .select('ar.id')
        .where('a.name', '=', name)
        .where('ar.ref', '=', ref)
        .executeTakeFirstOrThrow()
    ).id
  const replayed = async () => {
    const rows = await alice.call('GET', '/v1/audit?action=event')
    return (
      rows.json() as { items: Array<{ action: string; target: string; metadata: Record<string, unknown> }> }
    ).items
  }

  it('re-sends only the failed reaction, with its original key; a dry run changes nothing', async () => {
    await put(pair())
    t.recorder.failures.set('other', [permanentFailure()])
    const id = await fire('pair', 1)
    expect(await event(id)).toMatchObject({ status: 'failed', attempts: 1 })
    const aKey = `${id}:${await reactionId('pair', 'a')}`
    const bKey = `${id}:${await reactionId('pair', 'b')}`
    expect(t.recorder.calls.map((c) => c.idempotencyKey)).toEqual([aKey])

    // Someone else's event is not found, and their filters never reach it.
    expectProblem(await bob.call('POST', `/v1/events/${id}/replay`, {}), 404, 'not_found')
    expectProblem(await bob.call('POST', '/v1/replays', { area: 'pair' }), 404, 'area_not_found')
    const bobs = await bob.call('POST', '/v1/replays', { since: '1h' })
    expect(bobs.json()).toMatchObject({ matched: 0, events: [] })

    const dry = await alice.call('POST', `/v1/events/${id}/replay`, { dryRun: true })
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({
      dryRun: true,
      revision: 'current',
      matched: 1,
      events: [{ id, status: 'failed', revision: 1, kept: ['a'], rerun: ['b'], replay: null }],
      refused: [],
    })
    expect(await event(id)).toMatchObject({ status: 'failed' })
    expect(replayJobs(id)).toEqual([])
    expect(await replayed()).toEqual([])

    const real = await alice.call('POST', `/v1/events/${id}/replay`, {})
    expect(real.statusCode, real.body).toBe(200)
    expect((real.json() as Answer).events[0]).toMatchObject({ replay: 1, rerun: ['b'] })
    expect(await event(id)).toMatchObject({ status: 'queued', error: null, replays: 1, maxAttempts: 9 })
    // A second replay while the first has not run is refused: the event is not finished.
    expectProblem(await alice.call('POST', `/v1/events/${id}/replay`, {}), 409, 'conflict')
    const [job] = replayJobs(id)
    expect(job).toMatchObject({ replay: 1 })
    await execute(job!)

    expect(t.recorder.calls.map((c) => [c.reaction, c.idempotencyKey])).toEqual([
      ['note', aKey],
      ['other', bKey],
    ])
    const after = await event(id)
    expect(after).toMatchObject({ status: 'done', attempts: 2, replays: 1 })
    expect(
      after.executions.map((e: { ref: string; status: string; attempt: number }) => [
        e.ref,
        e.status,
        e.attempt,
      ]),
    ).toEqual([
      ['a', 'success', 1],
      ['b', 'success', 2],
    ])
    expect(await replayed()).toEqual([
      expect.objectContaining({
        action: 'event.replayed',
        target: `event/${id}`,
        metadata: expect.objectContaining({
          area: 'pair',
          replay: 1,
          revision: 1,
          revisionChoice: 'current',
          previousStatus: 'failed',
          previousError: expect.stringContaining('sink answered 400'),
          rerun: ['b'],
        }),
      }),
    ])

    // A done event replayed runs nothing: every reaction's success is kept.
    const again = await alice.call('POST', `/v1/events/${id}/replay`, {})
    expect((again.json() as Answer).events[0]).toMatchObject({ kept: ['a', 'b'], rerun: [], replay: 2 })
    await execute(replayJobs(id)[1]!)
    expect(t.recorder.calls).toHaveLength(2)
    expect(await event(id)).toMatchObject({ status: 'done', replays: 2 })

    // An event still to run, and a bad body, are refused with what to do.
    const pending = await alice.call('POST', '/v1/areas/pair/run', { event: { value: 2 } })
    const pendingId = (pending.json() as { hookLogId: string }).hookLogId
    const busy = await alice.call('POST', `/v1/events/${pendingId}/replay`, {})
    expectProblem(busy, 409, 'conflict')
    expect(busy.json().detail).toContain('not finished')
    expectProblem(
      await alice.call('POST', `/v1/events/${id}/replay`, { revision: 'old' }),
      400,
      'validation_failed',
    )
    await execute(t.enqueued.find((j) => j.hookLogId === pendingId)!)
  })

  it('replays the filter’s events oldest first, up to the cap, skipping succeeded for_each items', async () => {
    await put(loop)
    let failing = true
    t.recorder.before = async (text) => {
      if (failing && text === 'item 2') throw new PermanentError('sink answered 400: item 2')
    }
    const ids = [await fire('loop', 1), await fire('loop', 2), await fire('loop', 3)]
    for (const id of ids) expect(await event(id)).toMatchObject({ status: 'failed' })
    const eachId = await reactionId('loop', 'each')
    const calls = () =>
      t.recorder.calls.filter((c) => c.idempotencyKey.includes(eachId)).map((c) => c.idempotencyKey)
    expect(calls()).toEqual(ids.map((id) => `${id}:${eachId}:0`))

    const over = await alice.call('POST', '/v1/replays', { area: 'loop', limit: 3 })
    expectProblem(over, 400, 'validation_failed')
    expect(over.json().detail).toContain('AREA_MAX_REPLAY_EVENTS')
    expect(over.json().errors).toEqual([expect.objectContaining({ path: '/body/limit' })])
    const badSince = await alice.call('POST', '/v1/replays', { area: 'loop', since: 'yesterday-ish' })
    expectProblem(badSince, 400, 'validation_failed')
    expect(badSince.json().errors).toEqual([expect.objectContaining({ path: '/body/since' })])

    const dry = (
      await alice.call('POST', '/v1/replays', { area: 'loop', since: '1h', dryRun: true })
    ).json() as Answer
    expect(dry).toMatchObject({ dryRun: true, matched: 3, limit: 2 })
    expect(dry.events.map((e) => [e.id, e.kept, e.rerun])).toEqual([
      [ids[0], ['each[0]'], ['each']],
      [ids[1], ['each[0]'], ['each']],
    ])

    failing = false
    const first = (await alice.call('POST', '/v1/replays', { area: 'loop' })).json() as Answer
    expect(first).toMatchObject({ dryRun: false, matched: 3, limit: 2 })
    expect(first.events.map((e) => e.id)).toEqual([ids[0], ids[1]])
    for (const id of ids.slice(0, 2)) await execute(replayJobs(id)[0]!)
    const rest = (
      await alice.call('POST', '/v1/replays', { area: 'loop', status: 'failed' })
    ).json() as Answer
    expect(rest).toMatchObject({ matched: 1, events: [{ id: ids[2], replay: 1 }] })
    await execute(replayJobs(ids[2]!)[0]!)

    // Item 0 of each event once, items 1 and 2 once each after the replay, under the same keys.
    const keys = calls()
    for (const id of ids) {
      expect(keys.filter((k) => k.startsWith(id)).sort()).toEqual(
        [0, 1, 2].map((i) => `${id}:${eachId}:${i}`),
      )
      expect(await event(id)).toMatchObject({ status: 'done', replays: 1 })
    }
    const done = (
      await alice.call('POST', '/v1/replays', { area: 'loop', status: 'done', dryRun: true })
    ).json()
    expect(done).toMatchObject({ matched: 3, events: [{ kept: ['each'], rerun: [] }, {}] })
    t.recorder.before = undefined
  })

  it('runs the revision the event came in under with --revision original, and refuses one it cannot run', async () => {
    await put(pair('first {{ trigger.value }}'))
    t.recorder.failures.set('other', [permanentFailure()])
    const id = await fire('pair', 7)
    await put(pair('second {{ trigger.value }}'))
    const { revision: current } = (await alice.call('GET', '/v1/areas/pair')).json()

    const dry = (
      await alice.call('POST', `/v1/events/${id}/replay`, { revision: 'original', dryRun: true })
    ).json()
    expect(dry).toMatchObject({ revision: 'original', events: [{ revision: current - 1, rerun: ['b'] }] })
    expect((await alice.call('POST', `/v1/events/${id}/replay`, { revision: 'original' })).statusCode).toBe(
      200,
    )
    await execute(replayJobs(id)[0]!)
    expect(t.recorder.calls.at(-1)).toMatchObject({ reaction: 'other', params: { text: 'first 7' } })

    // The original revision dropped between the replay and its run: the event fails saying so.
    t.recorder.failures.set('other', [permanentFailure()])
    const late = await fire('pair', 8)
    expect((await alice.call('POST', `/v1/events/${late}/replay`, { revision: 'original' })).statusCode).toBe(
      200,
    )
    for (const text of ['third', 'fourth', 'fifth']) await put(pair(text))
    await execute(replayJobs(late)[0]!)
    const failed = await event(late)
    expect(failed).toMatchObject({ status: 'failed', replays: 1 })
    expect(failed.error).toContain('is no longer kept')
    expect(failed.error).toContain('--revision current')
    const refused = await alice.call('POST', `/v1/events/${late}/replay`, { revision: 'original' })
    expectProblem(refused, 409, 'conflict')
    expect(refused.json().detail).toMatch(/no longer kept.*area history pair.*--revision current/)
    const bulk = (
      await alice.call('POST', '/v1/replays', { area: 'pair', revision: 'original', dryRun: true })
    ).json()
    expect(bulk).toMatchObject({ matched: 1, events: [], refused: [{ id: late }] })
    expect((await alice.call('POST', `/v1/events/${late}/replay`, {})).statusCode).toBe(200)
    await execute(replayJobs(late)[1]!)
    expect(t.recorder.calls.at(-1)).toMatchObject({ reaction: 'other', params: { text: 'fifth' } })
  })

  it('refuses an original revision whose secret the AREA no longer holds', async () => {
    const alerts = (url: string, content: string) => ({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'alerts' },
      spec: {
        action: { service: 'test', action: 'hook' },
        reactions: [
          { id: 'post', service: 'discord', reaction: 'send_message', params: { webhook_url: url, content } },
        ],
      },
    })
    await put(alerts('http://127.0.0.1:9/api/webhooks/1/first-very-secret-token', 'one'))
    const run = await alice.call('POST', '/v1/areas/alerts/run', { event: { value: 1 } })
    const id = (run.json() as { hookLogId: string }).hookLogId
    await sql`update area.hook_logs set processed = true, status = 'failed' where id = ${id}`.execute(
      t.ctx.store.db,
    )
    await put(alerts('http://127.0.0.1:9/api/webhooks/2/second-very-secret-token', 'two'))
    const refused = await alice.call('POST', `/v1/events/${id}/replay`, { revision: 'original' })
    expectProblem(refused, 409, 'conflict')
    expect(refused.json().detail).toContain('does not hold')
    expect(refused.json().detail).toContain('--revision current')
    expect(refused.json().detail).not.toContain('very-secret-token')
    expect(await event(id)).toMatchObject({ status: 'failed' })
  })
})
