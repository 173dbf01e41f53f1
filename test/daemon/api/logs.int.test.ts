/**
 * Logs on both drivers: events with their executions, filters, keyset pagination (including
 * events sharing one timestamp), and the live stream over a real HTTP connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import type { WorkerDeps } from '../../../src/daemon/worker/deps.js'
import { executeEvent } from '../../../src/daemon/worker/execute-event.js'
import { toJson } from '../../../src/db/json.js'
import { silentLogger } from '../../../src/engine/types.js'
import { type Caller, expectProblem, hookArea, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'
import { permanentFailure } from '../../support/engine/test-services.js'

interface LogItem {
  id: string
  area: string
  status: string
  detectedAt: string
  executions: {
    ref: string
    status: string
    attempt: number
    errorText: string | null
    errorClass: string | null
  }[]
}

describe.each(drivers)('logs API (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller
  const ids: Record<'done' | 'failed' | 'waiting' | 'tied', string[]> = {
    done: [],
    failed: [],
    waiting: [],
    tied: [],
  }
  const deps = (): WorkerDeps => ({
    db: t.ctx.store.db,
    engine: t.ctx.engine,
    secrets: t.ctx.secrets,
    logger: silentLogger,
    leaseSeconds: 30,
    enqueueExecutions: async () => {},
  })
  const attempt = { attempt: 1, maxAttempts: 3, signal: new AbortController().signal }
  const run = async (area: string, value: number) => {
    const response = await me.call('POST', `/v1/areas/${area}/run`, { event: { value } })
    expect(response.statusCode).toBe(202)
    return t.enqueued.find((job) => job.hookLogId === response.json().hookLogId)!
  }

  beforeAll(async () => {
    t = await openTestDaemonContext(driver)
    app = await buildApp(t.ctx)
    me = await signUp(app)
    await me.call('PUT', '/v1/areas/alpha', hookArea('alpha'))
    await me.call('PUT', '/v1/areas/beta', hookArea('beta'))

    const done = await run('alpha', 1)
    expect(await executeEvent(deps(), done, attempt)).toBe('done')
    ids.done.push(done.hookLogId)
    const failed = await run('alpha', 2)
    t.recorder.failures.set('note', [permanentFailure()])
    await expect(executeEvent(deps(), failed, attempt)).rejects.toThrow()
    ids.failed.push(failed.hookLogId)
    ids.waiting.push((await run('alpha', 3)).hookLogId)

    // Five events of one transaction share their detected_at: pages must neither skip nor repeat.
    const hookJob = await t.ctx.store.db
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .innerJoin('areas as a', 'a.id', 'aa.area_id')
      .select(['h.id', 'a.id as areaId'])
      .where('a.name', '=', 'beta')
      .executeTakeFirstOrThrow()
    const tied = await t.ctx.store.db
      .insertInto('hook_logs')
      .values(
        [1, 2, 3, 4, 5].map((n) => ({
          hook_job_id: hookJob.id,
          area_id: hookJob.areaId,
          user_id: me.userId,
          delivery_id: `tied-${n}`,
          event_payload: toJson({ n }),
          detected_at: '2020-01-01T00:00:00.123456Z',
        })),
      )
      .returning('id')
      .execute()
    ids.tied.push(...tied.map((r) => r.id))
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  const list = async (query: string) => {
    const response = await me.call('GET', `/v1/logs${query}`)
    expect(response.statusCode, response.body).toBe(200)
    return response.json() as { items: LogItem[]; nextCursor: string | null }
  }

  it('lists events newest first, each with its reactions’ executions', async () => {
    const { items } = await list('')
    expect(items.map((i) => i.id).slice(0, 3)).toEqual([ids.waiting[0], ids.failed[0], ids.done[0]])
    const [waiting, failed, done] = items
    expect(done).toMatchObject({
      area: 'alpha',
      status: 'done',
      executions: [{ ref: 'note', status: 'success', attempt: 1, errorText: null }],
    })
    expect(failed).toMatchObject({
      status: 'failed',
      executions: [{ ref: 'note', status: 'failed', errorClass: 'permanent' }],
    })
    expect(failed!.executions[0]!.errorText).toContain('bad request')
    expect(waiting).toMatchObject({ status: 'received', executions: [] })
    const times = items.map((i) => Date.parse(i.detectedAt))
    expect([...times].sort((a, b) => b - a)).toEqual(times)
  })

  it('pages with a cursor without skipping or repeating events that share a timestamp', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((i) => i.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(8)
    expect(new Set(seen).size).toBe(8)
    expect(seen.slice(3).sort()).toEqual([...ids.tied].sort())
    expectProblem(await me.call('GET', '/v1/logs?cursor=bm90LWEtY3Vyc29y'), 400, 'validation_failed')
  })

  it('filters by AREA, by event or reaction status, and by time', async () => {
    expect((await list('?area=alpha')).items.map((i) => i.id)).toEqual([
      ids.waiting[0],
      ids.failed[0],
      ids.done[0],
    ])
    expect((await list('?area=beta')).items).toHaveLength(5)
    expect((await list('?status=failed')).items.map((i) => i.id)).toEqual(ids.failed)
    expect((await list('?status=success')).items.map((i) => i.id)).toEqual(ids.done)
    expect((await list('?status=done')).items.map((i) => i.id)).toEqual(ids.done)
    expect((await list('?status=received')).items).toHaveLength(6)
    expect((await list('?area=alpha&status=received')).items.map((i) => i.id)).toEqual(ids.waiting)
    // The tied events are from 2020: `1h` leaves them out, an ISO time before them does not.
    expect((await list('?since=1h')).items).toHaveLength(3)
    expect((await list('?since=2019-12-31T00:00:00Z')).items).toHaveLength(8)
    expect((await list(`?since=${new Date(Date.now() + 3_600_000).toISOString()}`)).items).toEqual([])
    const bad = expectProblem(await me.call('GET', '/v1/logs?since=yesterday'), 400, 'validation_failed')
    expect(bad.errors).toEqual([{ path: '/query/since', message: expect.stringContaining('duration') }])
    expectProblem(await me.call('GET', '/v1/logs?status=exploded'), 400, 'validation_failed')
    expectProblem(await me.call('GET', '/v1/logs?area=gamma'), 404, 'area_not_found')
  })

  it('streams new events and their progress as Server-Sent Events until the server closes', async () => {
    const live = await buildApp(t.ctx, { streamPollMs: 50 })
    await live.listen({ host: '127.0.0.1', port: 0 })
    const { port } = live.server.address() as { port: number }
    const response = await fetch(`http://127.0.0.1:${port}/v1/logs/stream?area=alpha`, {
      headers: { authorization: `Bearer ${me.token}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = readEvents(response.body!)

    // Only events from now on: the three earlier alpha events are not replayed.
    const job = await run('alpha', 10)
    const first = await events.next()
    expect(first).toMatchObject({ event: 'log', id: job.hookLogId })
    expect(first.data).toMatchObject({ id: job.hookLogId, area: 'alpha', status: 'received', executions: [] })

    // The worker finishes it: the same event comes again, done, with its execution.
    expect(await executeEvent(deps(), job, attempt)).toBe('done')
    let update = await events.next()
    while (update.data.status !== 'done') update = await events.next()
    expect(update).toMatchObject({
      id: job.hookLogId,
      data: { executions: [{ ref: 'note', status: 'success' }] },
    })

    // Other AREAs' events are filtered out; the next alpha one arrives.
    await run('beta', 11)
    const next = await run('alpha', 12)
    expect((await events.next()).id).toBe(next.hookLogId)

    await live.close()
    expect(await events.ended()).toBe(true)
  })

  it('sends a comment as heartbeat while nothing happens', async () => {
    const live = await buildApp(t.ctx, { streamPollMs: 20, streamHeartbeatMs: 1 })
    await live.listen({ host: '127.0.0.1', port: 0 })
    const { port } = live.server.address() as { port: number }
    const controller = new AbortController()
    const response = await fetch(`http://127.0.0.1:${port}/v1/logs/stream`, {
      headers: { authorization: `Bearer ${me.token}` },
      signal: controller.signal,
    })
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    while (!text.includes(': heartbeat\n\n')) text += (await reader.read()).value ?? ''
    // The client leaves; the server's close does not wait for that stream.
    controller.abort()
    await live.close()
  })

  it('refuses a stream without a token, like every other route', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/logs/stream' })
    expectProblem(response, 401, 'unauthenticated')
  })
})

interface SseEvent {
  event: string
  id: string
  // biome-ignore lint/suspicious/noExplicitAny: test data
  data: any
}

/** Parses an SSE body into events (comments skipped); `ended` resolves when the server ends it. */
function readEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  let done = false
  const queue: SseEvent[] = []
  const pull = async (): Promise<void> => {
    const chunk = await reader.read()
    if (chunk.done) {
      done = true
      return
    }
    buffer += chunk.value
    let end = buffer.indexOf('\n\n')
    while (end >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const fields: Record<string, string> = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => line && !line.startsWith(':'))
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
      )
      if (fields.data !== undefined)
        queue.push({ event: fields.event ?? 'message', id: fields.id ?? '', data: JSON.parse(fields.data) })
      end = buffer.indexOf('\n\n')
    }
  }
  return {
    async next(): Promise<SseEvent> {
      while (queue.length === 0) {
        if (done) throw new Error('the stream ended')
        await pull()
      }
      return queue.shift()!
    },
    async ended(): Promise<boolean> {
      while (!done) await pull()
      return true
    },
  }
}
