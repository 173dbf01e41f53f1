/**
 * The sweep keeps an event's trace (docs/architecture.md, "Traces"): an event committed with the
 * trace it started in (a webhook's ingest request, a manual run) and whose job Redis lost is
 * enqueued again carrying that traceparent, so the worker's span continues the same trace. On the
 * embedded path; the column and the queries are the same on Postgres.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createMemoryQueue } from '../../../src/daemon/queue/memory.js'
import type { ExecutionJobData, JobQueue } from '../../../src/daemon/queue/types.js'
import { startScheduler } from '../../../src/daemon/scheduler/scheduler.js'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { installTracer, type Tracer } from '../../../src/engine/tracing.js'
import { silentLogger } from '../../../src/engine/types.js'
import { builtinServices } from '../../../src/services/index.js'
import { recordManualEvent } from '../../../src/store/manual-events.js'
import { insertWebhookEvents } from '../../../src/store/webhook-events.js'
import { timerArea } from '../../support/api/fixtures.js'
import { applyWebhookArea } from '../../support/daemon/areas.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { attempt, openWorkerHarness } from '../../support/daemon/worker-deps.js'
import { createUser } from '../../support/db/seed.js'
import { createRecorder, testService } from '../../support/engine/test-services.js'

const WEBHOOK_TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
const MANUAL_TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
const POLL_TRACE = '00-a3ce929d0e0e47364bf92f3577b34da6-0ba902b700f067aa-01'

/** A tracer whose active span is always `traceparent`: what a manual run's request span gives. */
function activeSpan(traceparent: string): Tracer {
  return {
    inSpan: (_name, _options, run) => run({ setAttributes() {} }),
    startSpan: () => ({ traceparent, setAttributes() {}, end() {} }),
    setAttributes() {},
    traceparent: () => traceparent,
    logFields: () => undefined,
    shutdown: async () => {},
  }
}

describe('the sweep keeps the trace of the events it enqueues again (embedded)', () => {
  let test: TestDaemonContext

  beforeAll(async () => {
    test = await openTestDaemonContext('pglite')
  })
  afterAll(() => test?.close())

  it('hands each stranded event the traceparent it was committed with; none when tracing was off', async () => {
    const { ctx } = test
    const db = ctx.store.db
    const userId = await createUser(db, 'sweep-trace@example.test')
    const hook = await applyWebhookArea(ctx, userId, 'traced')
    const [traced, untraced] = await insertWebhookEvents(db, [
      { hookJobId: hook.hookJobId, deliveryId: 'traced', payloadJson: '{"n":1}', traceparent: WEBHOOK_TRACE },
      { hookJobId: hook.hookJobId, deliveryId: 'untraced', payloadJson: '{"n":2}' },
    ])
    installTracer(activeSpan(MANUAL_TRACE))
    const manual = await recordManualEvent(db, {
      userId,
      areaId: hook.areaId,
      areaActionId: hook.areaActionId,
      hookJobId: hook.hookJobId,
      event: { n: 3 },
    }).finally(() => installTracer(undefined))

    // No worker ran them (their jobs were lost with Redis, say); their grace has passed.
    await sql`update area.hook_logs set detected_at = now() - interval '1 minute'`.execute(db)
    const queue = createMemoryQueue()
    const requeued: ExecutionJobData[] = []
    const capturing: JobQueue = {
      ...queue,
      async requeueExecutions(jobs) {
        requeued.push(...jobs)
        return 0
      },
    }
    const scheduler = startScheduler(
      { db, queue: capturing, logger: silentLogger },
      { tickMs: 20, sweepEveryMs: 20, sweepGraceSeconds: 10 },
    )
    try {
      await vi.waitFor(() => expect(requeued.length).toBeGreaterThanOrEqual(3), { timeout: 10_000 })
    } finally {
      await scheduler.stop()
      await queue.close()
    }
    const idOf = (outcome: typeof traced) => (outcome?.status === 'accepted' ? outcome.hookLogId : 'none')
    expect(Object.fromEntries(requeued.map((job) => [job.hookLogId, job.traceparent ?? null]))).toEqual({
      [idOf(traced)]: WEBHOOK_TRACE,
      [idOf(untraced)]: null,
      [manual.hookLogId]: MANUAL_TRACE,
    })
  })
  it("records a polled event with the poll job's trace", async () => {
    const h = await openWorkerHarness('pglite', {
      registry: createRegistry([...builtinServices, testService(createRecorder())]),
    })
    try {
      const applied = await h.apply(timerArea('ticks', '1m'))
      const hookJob = await h.hookJobOf(applied.id)
      installTracer(activeSpan(POLL_TRACE))
      await pollHookJob(h.deps(), { hookJobId: hookJob.id, slotMs: Date.now() - 60_000 }, attempt()).finally(
        () => installTracer(undefined),
      )
      const rows = await h.testStore.store.db
        .selectFrom('hook_logs')
        .select('traceparent')
        .where('hook_job_id', '=', hookJob.id)
        .execute()
      expect(rows).toEqual([{ traceparent: POLL_TRACE }])
    } finally {
      await h.dispose()
    }
  })
})
