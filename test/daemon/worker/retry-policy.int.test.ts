/**
 * The server's retry policy through the queue and the worker (docs/architecture.md, "Retry
 * policy"), on Postgres: with AREA_RETRY_ATTEMPTS=2 a reaction that keeps failing is called twice,
 * not the built-in 8 times; one with its own `retry.attempts: 4` is called 4 times (above the
 * server's default, within its ceiling). A local HTTP server answering 503 counts the calls.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { eventLogView } from '../../../src/daemon/api/views/logs.js'
import { queueRetryOf, readRetrySettings } from '../../../src/daemon/config-retry.js'
import { createQueue, type QueueSetup } from '../../../src/daemon/queue/index.js'
import type { JobConsumer } from '../../../src/daemon/queue/types.js'
import { startWorker } from '../../../src/daemon/worker/worker.js'
import { findEventLog } from '../../../src/store/logs.js'
import { openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { type HttpSink, startHttpSink } from '../../support/sink/http-sink.js'

describe('the server retry policy in the worker (postgres)', () => {
  let worker: WorkerHarness
  let sink: HttpSink
  let queue: QueueSetup
  let consumer: JobConsumer | undefined
  const problems: string[] = []
  const settings = readRetrySettings(
    { AREA_RETRY_ATTEMPTS: '2', AREA_RETRY_BACKOFF: 'fixed', AREA_RETRY_DELAY: '1s' },
    problems,
  )

  beforeAll(async () => {
    expect(problems).toEqual([])
    worker = await openWorkerHarness('postgres')
    sink = await startHttpSink()
    sink.respond = () => ({ status: 503, body: { error: 'down for maintenance' } })
    queue = createQueue({ retry: queueRetryOf(settings) })
    consumer = await startWorker(queue, {
      ...worker.deps(),
      retryAttempts: settings.attempts,
      enqueueExecutions: (jobs) => queue.jobs.enqueueExecutions(jobs),
    })
  }, 60_000)
  afterAll(async () => {
    await consumer?.close(1_000)
    await queue?.jobs.close()
    await sink?.close()
    await worker?.dispose()
  })

  /** A webhook AREA posting to the sink's `path`, with these keys on its reaction. */
  const applyFailing = async (name: string, path: string, keys: object) => {
    const applied = await worker.apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name },
      spec: {
        action: { service: 'webhook', action: 'received' },
        reactions: [
          {
            id: 'post',
            service: 'http',
            reaction: 'request',
            ...keys,
            params: { url: `${sink.url}${path}` },
          },
        ],
      },
    })
    const hook = await worker.hookJobOf(applied.id)
    const event = await worker.testStore.store.db
      .insertInto('hook_logs')
      .values({
        hook_job_id: hook.id,
        area_id: hook.area_id,
        user_id: worker.userId,
        delivery_id: `${name}-1`,
        event_payload: JSON.stringify({ n: 1 }),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return { hookLogId: event.id, areaActionId: hook.area_action_id }
  }
  const finished = (hookLogId: string) =>
    worker.testStore.store.db
      .selectFrom('hook_logs')
      .select(['status', 'processed', 'attempts', 'error'])
      .where('id', '=', hookLogId)
      .executeTakeFirstOrThrow()

  it("gives a failing reaction the server's attempts, and a reaction's own retry.attempts wins", async () => {
    const plain = await applyFailing('server-default', '/default', {})
    const own = await applyFailing('own-retry', '/own', { retry: { attempts: 4, delay: '1s' } })
    await queue.jobs.enqueueExecutions([plain, own])
    await vi.waitFor(
      async () => {
        expect(await finished(plain.hookLogId)).toMatchObject({ processed: true, status: 'failed' })
        expect(await finished(own.hookLogId)).toMatchObject({ processed: true, status: 'failed' })
      },
      { timeout: 30_000, interval: 200 },
    )
    const calls = (path: string) => sink.requests.filter((r) => r.path === path).length
    expect(calls('/default')).toBe(2)
    expect(calls('/own')).toBe(4)
    expect(await finished(plain.hookLogId)).toMatchObject({ attempts: 2 })
    expect((await finished(plain.hookLogId)).error).toContain('503')
    expect(await finished(own.hookLogId)).toMatchObject({ attempts: 4 })
    // The logs count each against its own limit: `attempt 2/2` and `attempt 4/4`, not `4/2`.
    const shown = async (hookLogId: string) => {
      const event = await findEventLog(worker.testStore.store.db, worker.userId, hookLogId)
      if (!event) throw new Error(`no event ${hookLogId}`)
      const view = eventLogView(event, settings)
      return [
        view.attempts,
        view.maxAttempts,
        view.executions.map((e) => `${e.attempt}/${e.maxAttempts}`).at(-1),
      ]
    }
    expect(await shown(plain.hookLogId)).toEqual([2, 2, '2/2'])
    expect(await shown(own.hookLogId)).toEqual([4, 4, '4/4'])
    // Spent for good: no job is left to run them again.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect([calls('/default'), calls('/own')]).toEqual([2, 4])
  }, 60_000)
})
