/**
 * The foundation end to end, on both drivers: catalog sync, apply, a poll recorded through the
 * store, the event executed by the engine against a local HTTP server, and dedup that survives
 * a restart and a re-apply.
 */
import { randomBytes } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExecutionJobData } from '../../../src/daemon/worker/deps.js'
import { executeEvent } from '../../../src/daemon/worker/execute-event.js'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { openStore, type Store } from '../../../src/db/open.js'
import { ValidationError } from '../../../src/engine/errors.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { ReactionFailedError } from '../../../src/engine/run.js'
import { createSecretBox, type SecretBox } from '../../../src/secrets/secret-box.js'
import { builtinServices } from '../../../src/services/index.js'
import { syncCatalog } from '../../../src/store/catalog.js'
import { attempt, openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { drivers } from '../../support/db/stores.js'
import { createRecorder, testService } from '../../support/engine/test-services.js'
import { type HttpSink, startHttpSink } from '../../support/sink/http-sink.js'

const recorder = createRecorder()
const registry = createRegistry([...builtinServices, testService(recorder)])

describe.each(drivers)('event flow (%s)', (driver) => {
  let worker: WorkerHarness
  let store: Store
  let sink: HttpSink
  let enqueued: ExecutionJobData[]
  let secrets: SecretBox
  const deps = () => worker.deps()
  const apply = (doc: unknown, mode: 'apply' | 'create' = 'apply') => worker.apply(doc, mode)
  const hookJobOf = (areaId: string) => worker.hookJobOf(areaId)

  beforeAll(async () => {
    worker = await openWorkerHarness(driver, { registry, email: `${driver}@example.test` })
    ;({ enqueued, secrets } = worker)
    store = worker.testStore.store
    sink = await startHttpSink()
  })
  afterAll(async () => {
    await sink.close()
    await worker.dispose()
  })

  it('syncs the catalog idempotently', async () => {
    const before = await store.db
      .selectFrom('service_action_params')
      .select(['id', 'name'])
      .orderBy('id')
      .execute()
    await syncCatalog(store.db, registry)
    const after = await store.db
      .selectFrom('service_action_params')
      .select(['id', 'name'])
      .orderBy('id')
      .execute()
    expect(after).toEqual(before)
    const services = await store.db.selectFrom('services').select('key').orderBy('key').execute()
    expect(services.map((s) => s.key)).toEqual([
      'discord',
      'email',
      'github',
      'http',
      'rss',
      'slack',
      'test',
      'timer',
      'webhook',
    ])
    const every = await store.db
      .selectFrom('service_action_params as p')
      .innerJoin('service_actions as a', 'a.id', 'p.service_action_id')
      .select(['p.name', 'p.type', 'p.default_value', 'a.polling_supported', 'a.webhook_supported'])
      .where('a.key', '=', 'every')
      .executeTakeFirstOrThrow()
    expect(every).toEqual({
      name: 'interval',
      type: 'string',
      default_value: '1h',
      polling_supported: true,
      webhook_supported: false,
    })
  })

  it('follows the registry: params it no longer declares go, actions it dropped become unavailable', async () => {
    const [timer] = builtinServices.filter((s) => s.id === 'timer')
    const every = timer!.actions.find((a) => a.id === 'every')!
    const shrunk = { ...timer!, actions: [{ ...every, params: Type.Object({}) }] }
    const others = [...builtinServices.filter((s) => s.id !== 'timer'), testService(recorder)]
    await syncCatalog(store.db, createRegistry([shrunk, ...others]))
    const rows = await store.db
      .selectFrom('service_actions as a')
      .innerJoin('services as s', 's.id', 'a.service_id')
      .leftJoin('service_action_params as p', 'p.service_action_id', 'a.id')
      .select(['a.key', 'a.available', 'p.name'])
      .where('s.key', '=', 'timer')
      .orderBy('a.key')
      .execute()
    expect(rows).toEqual([
      { key: 'cron', available: false, name: 'expression' },
      { key: 'cron', available: false, name: 'timezone' },
      { key: 'every', available: true, name: null },
    ])
    await syncCatalog(store.db, registry)
    const restored = await store.db
      .selectFrom('service_actions')
      .select('key')
      .where('available', '=', false)
      .execute()
    expect(restored).toEqual([])
  })

  it('runs a timer AREA whose http reaction gets its templates rendered from the event', async () => {
    const applied = await apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'tick-to-sink' },
      spec: {
        action: { service: 'timer', action: 'every', params: { interval: '1s' } },
        reactions: [
          {
            id: 'post',
            service: 'http',
            reaction: 'request',
            params: {
              url: `${sink.url}/hook`,
              body: {
                text: 'tick at {{ trigger.scheduled_at }}',
                area: '{{ area.name }}',
                every: '{{ trigger.interval_seconds }}',
              },
            },
          },
          {
            id: 'follow',
            service: 'http',
            reaction: 'request',
            params: { url: `${sink.url}/follow`, body: 'previous status {{ reactions.post.status }}' },
          },
        ],
      },
    })
    expect(applied.outcome).toBe('created')
    const hookJob = await hookJobOf(applied.id)
    const slotMs = hookJob.next_run_at!.getTime()

    const polled = await pollHookJob(deps(), { hookJobId: hookJob.id, slotMs }, attempt())
    expect(polled).toEqual({ status: 'polled', baseline: false, fired: 1, requeued: 0 })
    const job = enqueued.at(-1)!
    expect(await executeEvent(deps(), job, attempt())).toBe('done')

    const scheduledAt = new Date(slotMs).toISOString()
    expect(sink.requests.map((r) => r.path)).toEqual(['/hook', '/follow'])
    expect(sink.requests[0]?.json).toEqual({ text: `tick at ${scheduledAt}`, area: 'tick-to-sink', every: 1 })
    expect(sink.requests[0]?.headers['idempotency-key']).toMatch(new RegExp(`^${job.hookLogId}:`))
    expect(sink.requests[1]?.body).toBe('previous status 200')

    const logs = await store.db
      .selectFrom('execution_logs')
      .select(['reaction_ref', 'status'])
      .where('hook_log_id', '=', job.hookLogId)
      .orderBy('reaction_ref')
      .execute()
    expect(logs).toEqual([
      { reaction_ref: 'follow', status: 'success' },
      { reaction_ref: 'post', status: 'success' },
    ])
    const hookLog = await store.db
      .selectFrom('hook_logs')
      .select(['status', 'processed'])
      .where('id', '=', job.hookLogId)
      .executeTakeFirstOrThrow()
    expect(hookLog).toEqual({ status: 'done', processed: true })

    // The same slot again (a duplicated poll job) fires nothing; the same event again runs nothing.
    expect(await pollHookJob(deps(), { hookJobId: hookJob.id, slotMs }, attempt())).toEqual({
      status: 'polled',
      baseline: false,
      fired: 0,
      requeued: 0,
    })
    expect(await executeEvent(deps(), job, attempt())).toBe('already_processed')
    expect(sink.requests).toHaveLength(2)
  })

  it('records a failing reaction with its error and class, and the event as failed', async () => {
    const applied = await apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'tick-to-broken-sink' },
      spec: {
        action: { service: 'timer', action: 'every', params: { interval: '1m' } },
        reactions: [
          { id: 'post', service: 'http', reaction: 'request', params: { url: `${sink.url}/rejects` } },
        ],
      },
    })
    const hookJob = await hookJobOf(applied.id)
    await pollHookJob(deps(), { hookJobId: hookJob.id, slotMs: hookJob.next_run_at!.getTime() }, attempt())
    sink.answers.push({ status: 422, body: { message: 'Validation Failed' } })
    const error = await executeEvent(deps(), enqueued.at(-1)!, attempt()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReactionFailedError)
    expect((error as ReactionFailedError).errorClass).toBe('permanent')
    const log = await store.db
      .selectFrom('execution_logs')
      .select(['status', 'error_class', 'error_text'])
      .where('hook_log_id', '=', enqueued.at(-1)!.hookLogId)
      .executeTakeFirstOrThrow()
    expect(log.status).toBe('failed')
    expect(log.error_class).toBe('permanent')
    expect(log.error_text).toContain('422')
    const hookLog = await store.db
      .selectFrom('hook_logs')
      .select(['status', 'processed', 'error'])
      .where('id', '=', enqueued.at(-1)!.hookLogId)
      .executeTakeFirstOrThrow()
    expect(hookLog).toMatchObject({ status: 'failed', processed: true })
  })

  it('logs every line of an execution with its hook log id and AREA id', async () => {
    const lines: Record<string, unknown>[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
    const applied = await apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'tick-logged' },
      spec: {
        action: { service: 'timer', action: 'every', params: { interval: '1m' } },
        reactions: [
          { id: 'note', service: 'test', reaction: 'note', params: { text: 'logged' } },
          { id: 'post', service: 'http', reaction: 'request', params: { url: `${sink.url}/logged` } },
        ],
      },
    })
    const hookJob = await hookJobOf(applied.id)
    await pollHookJob(deps(), { hookJobId: hookJob.id, slotMs: hookJob.next_run_at!.getTime() }, attempt())
    const job = enqueued.at(-1)!
    sink.answers.push({ status: 400, body: { message: 'no' } })
    await executeEvent({ ...deps(), logger }, job, attempt()).catch(() => undefined)
    // The reaction's own line and the worker's failure line both carry the ids.
    expect(lines.map((l) => l.msg)).toEqual(['recorded', 'event failed'])
    for (const line of lines) expect(line).toMatchObject({ hookLogId: job.hookLogId, areaId: applied.id })
  })

  it('retries a transient failure without repeating the reaction that succeeded', async () => {
    const applied = await apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'tick-flaky' },
      spec: {
        action: { service: 'timer', action: 'every', params: { interval: '1m' } },
        reactions: [
          { id: 'first', service: 'http', reaction: 'request', params: { url: `${sink.url}/first` } },
          { id: 'second', service: 'http', reaction: 'request', params: { url: `${sink.url}/second` } },
        ],
      },
    })
    const hookJob = await hookJobOf(applied.id)
    await pollHookJob(deps(), { hookJobId: hookJob.id, slotMs: hookJob.next_run_at!.getTime() }, attempt())
    const job = enqueued.at(-1)!
    const before = sink.requests.length
    sink.answers.push({ status: 200, body: {} }, { status: 503, body: {} })
    await expect(executeEvent(deps(), job, attempt(1))).rejects.toMatchObject({ errorClass: 'retryable' })
    const released = await store.db
      .selectFrom('hook_logs')
      .select(['status', 'processed'])
      .where('id', '=', job.hookLogId)
      .executeTakeFirstOrThrow()
    expect(released).toEqual({ status: 'queued', processed: false })
    expect(await executeEvent(deps(), job, attempt(2))).toBe('done')
    expect(sink.requests.slice(before).map((r) => r.path)).toEqual(['/first', '/second', '/second'])
  })

  it('refuses invalid AREAs with field paths and writes nothing', async () => {
    const count = async () => (await store.db.selectFrom('areas').select('id').execute()).length
    const before = await count()
    const bad = (spec: object) => ({ apiVersion: 'area/v1', kind: 'Area', metadata: { name: 'bad' }, spec })
    const cases: [object, string][] = [
      [
        {
          action: { service: 'nope', action: 'x' },
          reactions: [{ id: 'a', service: 'http', reaction: 'request', params: { url: sink.url } }],
        },
        '/spec/action/service',
      ],
      [
        {
          action: { service: 'timer', action: 'every', params: { interval: 'soon' } },
          reactions: [{ id: 'a', service: 'http', reaction: 'request', params: { url: sink.url } }],
        },
        '/spec/action/params/interval',
      ],
      [
        {
          action: { service: 'timer', action: 'every' },
          reactions: [
            { id: 'a', service: 'http', reaction: 'request', params: { method: 'FETCH', url: sink.url } },
          ],
        },
        '/spec/reactions/0/params/method',
      ],
      [
        {
          action: { service: 'timer', action: 'every' },
          reactions: [
            { id: 'a', service: 'http', reaction: 'request', params: { url: '{{ reactions.b.body }}' } },
          ],
        },
        '/spec/reactions/0/params/url',
      ],
    ]
    for (const [spec, path] of cases) {
      const error = await Promise.resolve()
        .then(() => apply(bad(spec)))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).issues.map((i) => i.path)).toContain(path)
    }
    // Known to the registry, but naming a connection the user does not have: checked in the store.
    const unknownConnection = await apply(
      bad({
        action: { service: 'timer', action: 'every' },
        reactions: [
          { id: 'a', service: 'http', reaction: 'request', connection: 'ghost', params: { url: sink.url } },
        ],
      }),
    ).catch((e: unknown) => e)
    expect((unknownConnection as ValidationError).issues).toEqual([
      {
        path: '/spec/reactions/0/connection',
        message: 'unknown connection "ghost": create it with `area connections add http`',
      },
    ])
    expect(await count()).toBe(before)
    await expect(
      apply(
        {
          apiVersion: 'area/v1',
          kind: 'Area',
          metadata: { name: 'tick-to-sink' },
          spec: {
            action: { service: 'timer', action: 'every' },
            reactions: [{ id: 'a', service: 'http', reaction: 'request', params: { url: sink.url } }],
          },
        },
        'create',
      ),
    ).rejects.toThrow('already exists')
  })

  it('fires a polled item once, across re-applies and a restart', async () => {
    const feedArea = (reactionText: string) => ({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'feed-dedup' },
      spec: {
        action: { service: 'test', action: 'feed' },
        reactions: [{ id: 'note', service: 'test', reaction: 'note', params: { text: reactionText } }],
      },
    })
    const applied = await apply(feedArea('{{ trigger.value }}'))
    const hookJob = await hookJobOf(applied.id)
    const poll = () => pollHookJob(deps(), { hookJobId: hookJob.id, slotMs: Date.now() }, attempt())

    recorder.feed = [{ key: 'a', event: { value: 1 } }]
    expect(await poll()).toEqual({ status: 'polled', baseline: true, fired: 0, requeued: 0 })
    recorder.feed.push({ key: 'b', event: { value: 2 } })
    expect(await poll()).toEqual({ status: 'polled', baseline: false, fired: 1, requeued: 0 })
    expect(await poll()).toMatchObject({ fired: 0 })

    // Re-applying the same file, then one with another reaction, keeps the dedup state.
    expect((await apply(feedArea('{{ trigger.value }}'))).outcome).toBe('unchanged')
    const updated = await apply(feedArea('value {{ trigger.value }}'))
    expect(updated).toMatchObject({ outcome: 'updated', changes: ['reactions'] })
    expect(await poll()).toMatchObject({ fired: 0 })

    // A restart: the store is closed and opened again; the seen keys come back from the database.
    await store.close()
    store = await openStore(
      driver === 'pglite'
        ? { dataDir: worker.testStore.location }
        : { databaseUrl: worker.testStore.location },
    )
    worker.testStore.store = store
    expect(await poll()).toMatchObject({ fired: 0 })
    recorder.feed.push({ key: 'c', event: { value: 3 } })
    expect(await poll()).toMatchObject({ fired: 1 })
    const state = await hookJobOf(applied.id)
    expect(state.baseline_done).toBe(true)
    expect(state.state).toEqual({ polled: 6 })
  })

  it('enqueues again the events a poll recorded but did not enqueue, when the slot runs again', async () => {
    const applied = await apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'feed-crash' },
      spec: {
        action: { service: 'test', action: 'feed' },
        reactions: [
          { id: 'note', service: 'test', reaction: 'note', params: { text: 'value {{ trigger.value }}' } },
        ],
      },
    })
    const hookJob = await hookJobOf(applied.id)
    const slot = { hookJobId: hookJob.id, slotMs: Date.now() }
    recorder.feed = [{ key: 'k0', event: { value: 0 } }]
    await pollHookJob(deps(), slot, attempt())
    // The worker commits two new items, then cannot enqueue (it is killed there, or Redis is away).
    recorder.feed.push({ key: 'k1', event: { value: 1 } }, { key: 'k2', event: { value: 2 } })
    const lost: ExecutionJobData[] = []
    const failing = {
      ...deps(),
      enqueueExecutions: async (jobs: ExecutionJobData[]) => {
        lost.push(...jobs)
        throw new Error('Redis is away')
      },
    }
    expect(await pollHookJob(failing, slot, attempt())).toEqual({
      status: 'polled',
      baseline: false,
      fired: 2,
      requeued: 0,
    })
    // One of them is meanwhile held by a live worker: its job exists, it is not enqueued again.
    const [first, second] = lost
    await store.db
      .updateTable('hook_logs')
      .set({ claimed_until: new Date(Date.now() + 60_000) })
      .where('id', '=', second!.hookLogId)
      .execute()

    // The retry of the same slot finds both keys seen, and enqueues the unclaimed one.
    enqueued.length = 0
    expect(await pollHookJob(deps(), slot, attempt())).toEqual({
      status: 'polled',
      baseline: false,
      fired: 0,
      requeued: 1,
    })
    expect(enqueued).toEqual([first])
    expect(await executeEvent(deps(), first!, attempt())).toBe('done')
    // Once it ran, a later poll has nothing left to enqueue.
    enqueued.length = 0
    expect(await pollHookJob(deps(), slot, attempt())).toMatchObject({ fired: 0, requeued: 0 })
    expect(enqueued).toEqual([])
  })

  it('starts a new baseline when the polled source changes', async () => {
    const doc = (min: number) => ({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'feed-source' },
      spec: {
        action: { service: 'test', action: 'feed', params: { min } },
        reactions: [{ id: 'note', service: 'test', reaction: 'note', params: { text: 'x' } }],
      },
    })
    const applied = await apply(doc(0))
    const hookJob = await hookJobOf(applied.id)
    const poll = () => pollHookJob(deps(), { hookJobId: hookJob.id, slotMs: Date.now() }, attempt())
    recorder.feed = [{ key: 'x1', event: { value: 1 } }]
    await poll()
    expect((await hookJobOf(applied.id)).baseline_done).toBe(true)
    await apply(doc(1))
    expect((await hookJobOf(applied.id)).baseline_done).toBe(false)
    recorder.feed.push({ key: 'x2', event: { value: 2 } })
    expect(await poll()).toMatchObject({ baseline: true, fired: 0 })
  })

  it('refuses to read credentials sealed with another key', () => {
    const other = createSecretBox(randomBytes(32))
    expect(() => other.open(secrets.seal('token'))).toThrow('AREA_ENCRYPTION_KEY')
  })
})
