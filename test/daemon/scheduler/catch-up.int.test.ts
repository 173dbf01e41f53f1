/**
 * Catch-up on Postgres (docs/architecture.md, "Claim-based scheduling"): timers whose slots fell
 * while the schedulers were down fire as their `catch_up` says (none, latest, all, all with a
 * max), once each even with two schedulers claiming, each event carrying its slot; an AREA turned
 * back on fires nothing that fell while it was off, unless asked (`POST …/enable`
 * `{ catch_up: true }`). The schedulers run on a fake clock: nothing sleeps through intervals.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { type AreaMetrics, createMetrics } from '../../../src/daemon/metrics.js'
import { createMemoryQueue } from '../../../src/daemon/queue/memory.js'
import type { JobQueue, PollJobData } from '../../../src/daemon/queue/types.js'
import { startScheduler } from '../../../src/daemon/scheduler/scheduler.js'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { createRegistry } from '../../../src/engine/registry.js'
import type { Logger } from '../../../src/engine/types.js'
import { builtinServices } from '../../../src/services/index.js'
import { setAreaEnabled } from '../../../src/store/areas.js'
import { claimDuePolls } from '../../../src/store/due-polls.js'
import { type Caller, expectProblem, signUp, timerArea } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { attempt, openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { createRecorder, testService } from '../../support/engine/test-services.js'

const MINUTE = 60_000

/** A timer firing every minute with the given `catch_up` (undefined: the default). */
function timer(name: string, catchUp?: unknown) {
  const area = timerArea(name, '1m')
  return { ...area, spec: { ...area.spec, action: { ...area.spec.action, catch_up: catchUp } } }
}

/** Log lines as the scheduler writes them. */
function captureLogger(lines: { obj: object; msg?: string }[]): Logger {
  const keep = (obj: object | string, msg?: string) => {
    lines.push(typeof obj === 'string' ? { obj: {}, msg: obj } : { obj, ...(msg ? { msg } : {}) })
  }
  return { debug() {}, info: keep, warn: keep, error: keep }
}

describe('catch-up after the schedulers were down (postgres)', () => {
  let h: WorkerHarness
  const jobs: Record<string, string> = {}
  // Every minute on the minute, an hour ago: the fake clocks below count from here.
  const t0 = Math.floor((Date.now() - 3_600_000) / MINUTE) * MINUTE
  const modes: Record<string, unknown> = {
    'skip-missed': 'none',
    'newest-missed': undefined,
    'every-missed': 'all',
    'two-missed': { mode: 'all', max: 2 },
  }

  beforeAll(async () => {
    h = await openWorkerHarness('postgres', {
      registry: createRegistry([...builtinServices, testService(createRecorder())]),
    })
    for (const [name, catchUp] of Object.entries(modes)) {
      const applied = await h.apply(timer(name, catchUp))
      jobs[name] = (await h.hookJobOf(applied.id)).id
    }
    // The schedulers stopped just before the slot at t0: it and the two after it fall while down.
    await sql`update area.hook_jobs set next_run_at = ${new Date(t0)}`.execute(h.testStore.store.db)
  }, 60_000)
  afterAll(() => h?.dispose())

  /** Two schedulers on one fake clock until `expected` slots are enqueued; what each enqueued. */
  async function runSchedulers(
    nowMs: number,
    expected: number,
    logger: Logger,
    metrics?: AreaMetrics,
  ): Promise<PollJobData[]> {
    const queue = createMemoryQueue()
    const enqueued: PollJobData[] = []
    const capturing: JobQueue = {
      ...queue,
      async enqueuePolls(slots) {
        enqueued.push(...slots)
      },
    }
    const options = { tickMs: 20, sweepEveryMs: 3_600_000, now: () => new Date(nowMs) }
    const deps = { db: h.testStore.store.db, queue: capturing, logger, metrics }
    const schedulers = [startScheduler(deps, options), startScheduler(deps, options)]
    try {
      await vi.waitFor(() => expect(enqueued.length).toBeGreaterThanOrEqual(expected), { timeout: 20_000 })
      // A few more ticks: a double claim would show now.
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()))
      await queue.close()
    }
    return enqueued
  }

  const slotsOf = (enqueued: PollJobData[], name: string) =>
    enqueued
      .filter((s) => s.hookJobId === jobs[name])
      .map((s) => s.slotMs - t0)
      .sort((a, b) => a - b)

  const eventsOf = async (name: string) => {
    const rows = await h.testStore.store.db
      .selectFrom('hook_logs')
      .select(sql<string>`event_payload ->> 'scheduled_at'`.as('slot'))
      .where('hook_job_id', '=', jobs[name]!)
      .execute()
    return rows.map((r) => new Date(r.slot).getTime() - t0).sort((a, b) => a - b)
  }

  it('fires none, the newest, all, or the newest two of three missed slots; each once, with its slot', async () => {
    const lines: { obj: object; msg?: string }[] = []
    // Back up 45 s after the third slot: all three are missed (the newest is past the 30 s grace).
    const queue = createMemoryQueue()
    const metrics = createMetrics({ queue, db: h.testStore.store.db })
    const enqueued = await runSchedulers(t0 + 2 * MINUTE + 45_000, 6, captureLogger(lines), metrics)
    await queue.close()
    expect(slotsOf(enqueued, 'skip-missed')).toEqual([])
    expect(slotsOf(enqueued, 'newest-missed')).toEqual([2 * MINUTE])
    expect(slotsOf(enqueued, 'every-missed')).toEqual([0, MINUTE, 2 * MINUTE])
    expect(slotsOf(enqueued, 'two-missed')).toEqual([MINUTE, 2 * MINUTE])
    expect(enqueued).toHaveLength(6)
    // What was skipped is said, with how many and why.
    const skipped = Object.fromEntries(
      lines
        .filter((l) => /skipped \d+ missed polling slots?/.test(l.msg ?? ''))
        .map((l) => {
          const { hookJobId, skipped, catchUp } = l.obj as {
            hookJobId: string
            skipped: number
            catchUp: string
          }
          return [Object.keys(jobs).find((n) => jobs[n] === hookJobId), `${skipped} ${catchUp}`]
        }),
    )
    expect(skipped).toEqual({ 'skip-missed': '3 none', 'newest-missed': '2 latest', 'two-missed': '1 all' })
    // And counted for /metrics, by the catch_up that decided.
    const counted = (await metrics.pollSlotsSkipped.get()).values.map((v) => [v.labels.catch_up, v.value])
    expect(Object.fromEntries(counted)).toEqual({ none: 3, latest: 2, all: 1 })
    // Every schedule continues at the first slot after the clock, whatever it fired.
    const next = await h.testStore.store.db.selectFrom('hook_jobs').select('next_run_at').execute()
    expect(next.map((n) => n.next_run_at!.getTime() - t0)).toEqual([3, 3, 3, 3].map((m) => m * MINUTE))

    // The poll of each slot fires one event carrying its slot; polling a slot again fires nothing.
    for (const slot of enqueued) await pollHookJob(h.deps(), slot, attempt())
    for (const slot of enqueued) {
      expect(await pollHookJob(h.deps(), slot, attempt())).toMatchObject({ status: 'polled', fired: 0 })
    }
    expect(await eventsOf('skip-missed')).toEqual([])
    expect(await eventsOf('newest-missed')).toEqual([2 * MINUTE])
    expect(await eventsOf('every-missed')).toEqual([0, MINUTE, 2 * MINUTE])
    expect(await eventsOf('two-missed')).toEqual([MINUTE, 2 * MINUTE])
  })

  it('fires an on-time slot under every catch_up, none included', async () => {
    const enqueued = await runSchedulers(t0 + 3 * MINUTE + 2_000, 4, captureLogger([]))
    for (const name of Object.keys(modes)) expect(slotsOf(enqueued, name)).toEqual([3 * MINUTE])
  })
})

describe('enabling an AREA fires no slot that fell while it was off, unless asked (postgres)', () => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller
  let other: Caller
  const db = () => t.ctx.store.db
  const nextRun = async (name: string) => {
    const row = await db()
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .innerJoin('areas as a', 'a.id', 'aa.area_id')
      .select(['h.id', 'h.next_run_at', 'h.status', 'h.catch_up', 'h.catch_up_max'])
      .where('a.name', '=', name)
      .where('a.user_id', '=', me.userId)
      .executeTakeFirstOrThrow()
    return { ...row, at: row.next_run_at!.getTime() }
  }
  /** Off, then three of its slots fall (the newest 40 s ago) before it is turned back on. */
  const offAcrossThreeSlots = async (name: string) => {
    expect((await me.call('POST', `/v1/areas/${name}/disable`)).statusCode).toBe(200)
    const first = Date.now() - 2 * MINUTE - 40_000
    await sql`update area.hook_jobs set next_run_at = ${new Date(first)}
      where id = ${(await nextRun(name)).id}`.execute(db())
    return first
  }

  beforeAll(async () => {
    t = await openTestDaemonContext('postgres')
    app = await buildApp(t.ctx)
    me = await signUp(app)
    other = await signUp(app)
    expect((await me.call('PUT', '/v1/areas/nightly', timer('nightly', 'all'))).statusCode).toBe(201)
    expect((await me.call('PUT', '/v1/areas/newest', timer('newest'))).statusCode).toBe(201)
  }, 60_000)
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('starts at the next slot on enable, and catches up per catch_up with catch_up: true', async () => {
    const first = await offAcrossThreeSlots('nightly')
    const enabled = await me.call('POST', '/v1/areas/nightly/enable')
    expect(enabled.json()).toMatchObject({ outcome: 'updated', area: { enabled: true } })
    // The AREA as answered carries the server's retry policy, for describe.
    expect(enabled.json().area.retry).toEqual({
      attempts: 8,
      maxAttempts: 10,
      backoff: 'exponential',
      delay: '1s',
      maxDelay: '5m',
    })
    const resumed = await nextRun('nightly')
    // On the same minute grid, after now: nothing due, nothing fired.
    expect(resumed.at).toBeGreaterThan(Date.now())
    expect((resumed.at - first) % MINUTE).toBe(0)
    expect(await claimDuePolls(db(), { limit: 10 })).toEqual([])

    await offAcrossThreeSlots('nightly')
    const asked = await me.call('POST', '/v1/areas/nightly/enable', { catch_up: true })
    expect(asked.statusCode).toBe(200)
    const slots = await claimDuePolls(db(), { limit: 10 })
    expect(slots).toHaveLength(3)

    // The default catch_up (latest) fires one slot when asked.
    const newestFirst = await offAcrossThreeSlots('newest')
    await me.call('POST', '/v1/areas/newest/enable', { catch_up: true })
    expect((await claimDuePolls(db(), { limit: 10 })).map((s) => s.slotMs)).toEqual([
      newestFirst + 2 * MINUTE,
    ])
  })

  it('stores the catch_up an apply changes, and skips missed slots when an apply turns the AREA on', async () => {
    expect(await nextRun('nightly')).toMatchObject({ catch_up: 'all', catch_up_max: 10 })
    const twoAtMost = timer('nightly', { mode: 'all', max: 2 })
    const changed = await me.call('PUT', '/v1/areas/nightly', twoAtMost)
    expect(changed.json()).toMatchObject({ outcome: 'updated', changes: ['action'] })
    expect(await nextRun('nightly')).toMatchObject({ catch_up: 'all', catch_up_max: 2 })

    await offAcrossThreeSlots('nightly')
    const reapplied = await me.call('PUT', '/v1/areas/nightly', twoAtMost)
    expect(reapplied.json()).toMatchObject({ outcome: 'updated', changes: ['enabled'] })
    expect((await nextRun('nightly')).at).toBeGreaterThan(Date.now())
    expect(await claimDuePolls(db(), { limit: 10 })).toEqual([])
  })

  it('turns on through the store the same way, and takes no catch_up from another user or a wrong body', async () => {
    await offAcrossThreeSlots('newest')
    await setAreaEnabled(db(), me.userId, 'newest', true, 10)
    expect((await nextRun('newest')).at).toBeGreaterThan(Date.now())

    const wrong = await me.call('POST', '/v1/areas/newest/enable', { catch_up: 'yes' })
    expectProblem(wrong, 400, 'validation_failed')
    expect(wrong.body).toContain('catch_up')
    const stranger = await other.call('POST', '/v1/areas/nightly/enable', { catch_up: true })
    expect(stranger.statusCode).toBe(404)
  })
})
