/**
 * Per-user quotas (README, "Bad input and quotas"; src/daemon/config-limits.ts), each a 4xx that
 * names the limit and its setting and writes nothing: AREAs per user, the shortest polling
 * interval, log streams per user, documents per apply, secrets per user. And a large apply on the
 * embedded database (one connection) does not hold up another user's requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import type { LimitsSettings } from '../../../src/daemon/config-limits.js'
import { type Caller, expectProblem, hookArea, signUp, timerArea } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

const limits: LimitsSettings = {
  maxAreasPerUser: 3,
  minPollIntervalSeconds: 30,
  maxLogStreamsPerUser: 2,
  maxApplyDocuments: 5,
  maxRevisionsPerArea: 20,
  maxSecretsPerUser: 2,
  maxReplayEvents: 100,
}

const namesOf = async (caller: Caller) =>
  ((await caller.call('GET', '/v1/areas')).json() as { items: { name: string }[] }).items.map((a) => a.name)

const cronArea = (name: string, expression: string) => ({
  ...timerArea(name),
  spec: { ...timerArea(name).spec, action: { service: 'timer', action: 'cron', params: { expression } } },
})

describe.each(drivers)('quotas (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp

  beforeAll(async () => {
    t = await openTestDaemonContext(driver, { config: { limits } })
    app = await buildApp(t.ctx, { streamPollMs: 50 })
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('holds each user to AREA_MAX_AREAS_PER_USER, one by one and in sets', async () => {
    const me = await signUp(app)
    for (const name of ['a1', 'a2', 'a3'])
      expect((await me.call('PUT', `/v1/areas/${name}`, hookArea(name))).statusCode).toBe(201)
    const fourth = expectProblem(await me.call('PUT', '/v1/areas/a4', hookArea('a4')), 403, 'quota_exceeded')
    expect(fourth.detail).toContain('limit of 3 per user (AREA_MAX_AREAS_PER_USER)')
    expectProblem(await me.call('POST', '/v1/areas', hookArea('a4')), 403, 'quota_exceeded')
    // Updating one is no new AREA.
    expect(
      (await me.call('PUT', '/v1/areas/a1', hookArea('a1', 'changed {{ trigger.value }}'))).statusCode,
    ).toBe(200)

    const set = (names: string[], prune = false) =>
      me.call('POST', '/v1/areas/apply', { documents: names.map((n) => hookArea(n)), prune })
    const over = expectProblem(await set(['a1', 'a2', 'a3', 'b1']), 403, 'quota_exceeded')
    expect(over.detail).toContain('AREA_MAX_AREAS_PER_USER')
    expectProblem(await set(['a1', 'b1'], false), 403, 'quota_exceeded')
    expect(await namesOf(me)).toEqual(['a1', 'a2', 'a3'])
    // With prune the set replaces what is there: three in the end is within the limit.
    expect((await set(['a1', 'b1', 'b2'], true)).statusCode).toBe(200)
    expect(await namesOf(me)).toEqual(['a1', 'b1', 'b2'])

    // The limit is per user.
    const other = await signUp(app)
    expect((await other.call('PUT', '/v1/areas/a1', hookArea('a1'))).statusCode).toBe(201)
  })

  it('refuses polling more often than AREA_MIN_POLL_INTERVAL_SECONDS, whatever the spelling', async () => {
    const me = await signUp(app)
    const timer = expectProblem(
      await me.call('PUT', '/v1/areas/fast', timerArea('fast', '10s')),
      400,
      'validation_failed',
    )
    expect(timer.errors).toEqual([
      {
        path: '/spec/action/params',
        message: expect.stringContaining('every 30s (AREA_MIN_POLL_INTERVAL_SECONDS)'),
      },
    ])
    const cron = expectProblem(
      await me.call('PUT', '/v1/areas/fast', cronArea('fast', '*/5 * * * * *')),
      400,
      'validation_failed',
    )
    expect(cron.errors?.[0]).toEqual({
      path: '/spec/action/params',
      message: expect.stringContaining('polls every 5s'),
    })
    const feed = {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'fast' },
      spec: {
        action: {
          service: 'rss',
          action: 'new_item',
          trigger: { polling: { interval: '10s' } },
          params: { url: 'http://127.0.0.1:9/feed.xml' },
        },
        reactions: [{ id: 'note', service: 'test', reaction: 'note', params: { text: 'x' } }],
      },
    }
    const explicit = expectProblem(await me.call('PUT', '/v1/areas/fast', feed), 400, 'validation_failed')
    expect(explicit.errors?.[0]?.path).toBe('/spec/action/trigger/polling/interval')
    const batch = expectProblem(
      await me.call('POST', '/v1/areas/apply', {
        documents: [timerArea('ok', '30s'), timerArea('fast', '1s')],
      }),
      400,
      'validation_failed',
    )
    expect(batch.errors?.map((e) => e.path)).toEqual(['/documents/1/spec/action/params'])
    expect(await namesOf(me)).toEqual([])
    expect((await me.call('PUT', '/v1/areas/ok', timerArea('ok', '30s'))).statusCode).toBe(201)
    expect((await me.call('PUT', '/v1/areas/daily', cronArea('daily', '0 9 * * *'))).statusCode).toBe(201)
  })

  it('refuses more documents than AREA_MAX_APPLY_DOCUMENTS in one apply with 413', async () => {
    const me = await signUp(app)
    const documents = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'].map((n) => hookArea(n))
    const problem = expectProblem(
      await me.call('POST', '/v1/areas/apply', { documents }),
      413,
      'payload_too_large',
    )
    expect(problem.detail).toContain('at most 5 at once (AREA_MAX_APPLY_DOCUMENTS)')
    expectProblem(
      await me.call('POST', '/v1/areas/apply', { documents, dryRun: true }),
      413,
      'payload_too_large',
    )
    expect(await namesOf(me)).toEqual([])
  })

  it('holds each user to AREA_MAX_SECRETS_PER_USER; a new value for one held is no new secret', async () => {
    const me = await signUp(app)
    const put = (name: string, value: string) => me.call('PUT', `/v1/secrets/${name}`, { value })
    expect((await put('ONE', 'a')).statusCode).toBe(201)
    expect((await put('TWO', 'b')).statusCode).toBe(201)
    const third = expectProblem(await put('THREE', 'c'), 403, 'quota_exceeded')
    expect(third.detail).toContain('limit per user (AREA_MAX_SECRETS_PER_USER)')
    expect((await put('TWO', 'b2')).statusCode).toBe(200)
    const names = (await me.call('GET', '/v1/secrets')).json().items.map((s: { name: string }) => s.name)
    expect(names).toEqual(['ONE', 'TWO'])
    // Another user has a quota of their own.
    expect((await (await signUp(app)).call('PUT', '/v1/secrets/THREE', { value: 'c' })).statusCode).toBe(201)
  })

  it('opens at most AREA_MAX_LOG_STREAMS_PER_USER log streams per user, then 429', async () => {
    const me = await signUp(app)
    const other = await signUp(app)
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as { port: number }
    const open = (caller: Caller) => {
      const controller = new AbortController()
      const response = fetch(`http://127.0.0.1:${port}/v1/logs/stream`, {
        headers: { authorization: `Bearer ${caller.token}` },
        signal: controller.signal,
      })
      return { response, close: () => controller.abort() }
    }
    const first = open(me)
    const second = open(me)
    expect((await first.response).status).toBe(200)
    expect((await second.response).status).toBe(200)
    const third = await open(me).response
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('30')
    const body = (await third.json()) as { code: string; detail: string }
    expect(body.code).toBe('too_many_requests')
    expect(body.detail).toContain('AREA_MAX_LOG_STREAMS_PER_USER')
    // Another user has streams of their own.
    const theirs = open(other)
    expect((await theirs.response).status).toBe(200)
    // Closing one frees its place.
    first.close()
    let again: Response | undefined
    for (let i = 0; i < 100 && again?.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      again = await open(me).response
    }
    expect(again?.status).toBe(200)
    second.close()
    theirs.close()
  })
})

describe('a large apply on the embedded database', () => {
  let t: TestDaemonContext
  let app: AreaApp

  beforeAll(async () => {
    t = await openTestDaemonContext('pglite', {
      config: { limits: { ...limits, maxAreasPerUser: 1_000, maxApplyDocuments: 500 } },
    })
    app = await buildApp(t.ctx)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('lets another user’s requests through while it runs, and still applies every document', async () => {
    const big = await signUp(app)
    const other = await signUp(app)
    expect((await other.call('PUT', '/v1/areas/mine', hookArea('mine'))).statusCode).toBe(201)
    const documents = Array.from({ length: 500 }, (_, i) => hookArea(`bulk-${i}`))
    let applied = false
    const apply = big.call('POST', '/v1/areas/apply', { documents }).then((response) => {
      applied = true
      return response
    })
    // Let the apply get going (500 documents take many seconds), then ask as the other user.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const asked: { ms: number; whileApplying: boolean }[] = []
    for (let i = 0; i < 3 && !applied; i++) {
      const started = Date.now()
      const response = await other.call('GET', '/v1/areas/mine')
      asked.push({ ms: Date.now() - started, whileApplying: !applied })
      expect(response.statusCode).toBe(200)
    }
    const answer = await apply
    expect(answer.statusCode, answer.body).toBe(200)
    // The other user's GETs were answered while the apply was still running, each well within
    // what one long transaction made them wait (15 s for 500 documents).
    expect(asked.length, 'no request of the other user was answered while the apply ran').toBeGreaterThan(0)
    expect(asked[0]!.whileApplying).toBe(true)
    expect(Math.max(...asked.map((a) => a.ms))).toBeLessThan(3_000)
    const count = await t.ctx.store.db
      .selectFrom('areas')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', big.userId)
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(500)
  }, 180_000)

  it('writes nothing when one document of a large set is bad', async () => {
    const me = await signUp(app)
    const documents = Array.from({ length: 40 }, (_, i) => hookArea(`set-${i}`))
    documents[35] = { ...hookArea('set-35'), spec: { ...hookArea('set-35').spec, reactions: [] } }
    const problem = expectProblem(
      await me.call('POST', '/v1/areas/apply', { documents }),
      400,
      'validation_failed',
    )
    expect(problem.errors?.[0]?.path).toBe('/documents/35/spec/reactions')
    expect(await namesOf(me)).toEqual([])
  })

  it('counts a pruning set as a whole against the quota, chunks or not', async () => {
    const me = await signUp(app)
    const saved = t.ctx.config.limits
    t.ctx.config.limits = { ...saved, maxAreasPerUser: 15 }
    try {
      const set = (prefix: string) => Array.from({ length: 15 }, (_, i) => hookArea(`${prefix}-${i}`))
      expect((await me.call('POST', '/v1/areas/apply', { documents: set('old') })).statusCode).toBe(200)
      // 15 new names replacing 15: never more than 15 once the set is applied.
      const replaced = await me.call('POST', '/v1/areas/apply', { documents: set('new'), prune: true })
      expect(replaced.statusCode, replaced.body).toBe(200)
      expect((await namesOf(me)).every((name) => name.startsWith('new-'))).toBe(true)
      const over = await me.call('POST', '/v1/areas/apply', {
        documents: [...set('new'), hookArea('one-more')],
      })
      expectProblem(over, 403, 'quota_exceeded')
      expect(await namesOf(me)).not.toContain('one-more')
    } finally {
      t.ctx.config.limits = saved
    }
  })
})
