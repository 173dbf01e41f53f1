/**
 * The webhook ingest route through Fastify's inject, on both drivers: what is answered, what is
 * committed to hook_logs, and what is enqueued (docs/architecture.md, "Invariants": an accepted
 * webhook is never lost; bad input gets a clear error and changes nothing).
 */
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webhookRoutes } from '../../../src/daemon/api/webhooks/routes.js'
import type { DaemonContext } from '../../../src/daemon/context.js'
import {
  createWebhookIngest,
  type IngestSettings,
  type WebhookIngest,
} from '../../../src/daemon/ingest/webhook-ingest.js'
import { createQueue } from '../../../src/daemon/queue/index.js'
import { signStandardWebhook } from '../../../src/services/webhook/standard-webhooks.js'
import { applyWebhookArea, type WebhookArea } from '../../support/daemon/areas.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { createUser } from '../../support/db/seed.js'
import { drivers } from '../../support/db/stores.js'

interface Harness {
  app: FastifyInstance
  ingest: WebhookIngest
}

async function startApp(ctx: DaemonContext, settings: Partial<IngestSettings> = {}): Promise<Harness> {
  const ingest = createWebhookIngest(
    {
      db: ctx.store.db,
      secrets: ctx.secrets,
      enqueueExecutions: (jobs) => ctx.queue.jobs.enqueueExecutions(jobs),
      logger: ctx.logger,
    },
    settings,
  )
  const app = Fastify({ logger: false })
  await app.register(webhookRoutes, { ctx, ingest })
  await app.ready()
  return { app, ingest }
}

interface Delivery {
  body?: string
  id?: string
  timestamp?: number
  secret?: string
  contentType?: string
  service?: string
}

function post(harness: Harness, hook: { hookJobId: string; secret: string }, delivery: Delivery = {}) {
  const body = delivery.body ?? JSON.stringify({ type: 'invoice.paid', id: randomUUID() })
  const id = delivery.id ?? `msg_${randomUUID()}`
  const timestamp = String(delivery.timestamp ?? Math.floor(Date.now() / 1000))
  return harness.app.inject({
    method: 'POST',
    url: `/webhooks/${delivery.service ?? 'webhook'}/${hook.hookJobId}`,
    headers: {
      'content-type': delivery.contentType ?? 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': signStandardWebhook(delivery.secret ?? hook.secret, { id, timestamp, body }),
    },
    payload: body,
  })
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  const problem = response.json()
  expect(problem).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) })
  expect(problem.type).toEqual(expect.any(String))
  return problem as { detail: string }
}

describe.each(drivers)('POST /webhooks/:service/:hookJobId (%s)', (driver) => {
  let test: TestDaemonContext
  let ctx: DaemonContext
  let harness: Harness
  let userId: string
  let hook: WebhookArea

  const rowsOf = (hookJobId: string) =>
    ctx.store.db
      .selectFrom('hook_logs')
      .select(['id', 'delivery_id', 'event_payload', 'status', 'processed', 'area_id', 'user_id'])
      .where('hook_job_id', '=', hookJobId)
      .orderBy('created_at')
      .execute()

  beforeAll(async () => {
    test = await openTestDaemonContext(driver, { config: { webhookBodyLimitBytes: 4096 } })
    ctx = test.ctx
    userId = await createUser(ctx.store.db, `${driver}-ingest@example.test`)
    hook = await applyWebhookArea(ctx, userId, 'incoming')
    harness = await startApp(ctx)
  })
  afterAll(async () => {
    await harness?.app.close()
    await test?.close()
  })

  it('commits the event, answers 202 with its hook log id, then enqueues its execution', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', amount: 1200 })
    const response = await post(harness, hook, { body, id: 'msg_first' })
    expect(response.statusCode).toBe(202)
    const { hookLogId } = response.json()
    // Answered only after the commit: the row is there as soon as the answer is.
    const rows = await rowsOf(hook.hookJobId)
    expect(rows).toEqual([
      {
        id: hookLogId,
        delivery_id: 'msg_first',
        event_payload: { type: 'invoice.paid', amount: 1200 },
        status: 'received',
        processed: false,
        area_id: hook.areaId,
        user_id: userId,
      },
    ])
    await harness.ingest.drain()
    expect(test.enqueued).toEqual([{ hookLogId, areaActionId: hook.areaActionId }])
  })

  it('answers a replayed delivery 200 duplicate, with no second row and no second job', async () => {
    const body = JSON.stringify({ n: 1 })
    const first = await post(harness, hook, { body, id: 'msg_replayed' })
    expect(first.statusCode).toBe(202)
    await harness.ingest.drain()
    const jobsBefore = test.enqueued.length
    const again = await post(harness, hook, { body, id: 'msg_replayed' })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual({ hookLogId: first.json().hookLogId, duplicate: true })
    await harness.ingest.drain()
    expect(test.enqueued).toHaveLength(jobsBefore)
    const rows = (await rowsOf(hook.hookJobId)).filter((r) => r.delivery_id === 'msg_replayed')
    expect(rows).toHaveLength(1)
  })

  it('deduplicates concurrent replays of one delivery', async () => {
    const body = JSON.stringify({ n: 2 })
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post(harness, hook, { body, id: 'msg_concurrent' })),
    )
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 202])
    expect(new Set(responses.map((r) => r.json().hookLogId)).size).toBe(1)
    const rows = (await rowsOf(hook.hookJobId)).filter((r) => r.delivery_id === 'msg_concurrent')
    expect(rows).toHaveLength(1)
  })

  it('refuses a bad signature with 401 and records nothing', async () => {
    const before = (await rowsOf(hook.hookJobId)).length
    const other = `whsec_${Buffer.alloc(24, 7).toString('base64')}`
    const problem = expectProblem(await post(harness, hook, { secret: other }), 401, 'invalid_signature')
    expect(problem.detail).toContain('no webhook-signature matches')
    const unsigned = await harness.app.inject({
      method: 'POST',
      url: `/webhooks/webhook/${hook.hookJobId}`,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    })
    expect(expectProblem(unsigned, 401, 'invalid_signature').detail).toContain('missing webhook-id')
    expect(await rowsOf(hook.hookJobId)).toHaveLength(before)
  })

  it('refuses a stale or future timestamp with 401', async () => {
    const now = Math.floor(Date.now() / 1000)
    const stale = expectProblem(await post(harness, hook, { timestamp: now - 600 }), 401, 'invalid_signature')
    expect(stale.detail).toContain('in the past')
    const future = expectProblem(
      await post(harness, hook, { timestamp: now + 600 }),
      401,
      'invalid_signature',
    )
    expect(future.detail).toContain('in the future')
  })

  it('answers unknown, disabled, non-UUID and wrong-service hooks with the same 404', async () => {
    const disabled = await applyWebhookArea(ctx, userId, 'switched-off', { enabled: false })
    const answers = [
      await post(harness, { hookJobId: randomUUID(), secret: hook.secret }),
      await post(harness, disabled),
      await post(harness, { hookJobId: 'not-a-uuid', secret: hook.secret }),
      await post(harness, hook, { service: 'http' }),
      await post(harness, hook, { service: 'nope' }),
    ]
    for (const answer of answers) expectProblem(answer, 404, 'hook_not_found')
    expect(new Set(answers.map((a) => a.body)).size).toBe(1)
    expect(await rowsOf(disabled.hookJobId)).toHaveLength(0)
  })

  it('stops accepting at once when a cached hook is disabled, with the same 404', async () => {
    const area = await applyWebhookArea(ctx, userId, 'soon-off')
    expect((await post(harness, area)).statusCode).toBe(202)
    const unknown = await post(harness, { hookJobId: randomUUID(), secret: hook.secret })
    await applyWebhookArea(ctx, userId, 'soon-off', { enabled: false })
    // Still cached as active: the INSERT itself refuses the event.
    const afterDisable = await post(harness, area)
    expectProblem(afterDisable, 404, 'hook_not_found')
    expect(afterDisable.body).toBe(unknown.body)
    expect(await rowsOf(area.hookJobId)).toHaveLength(1)
    await ctx.store.db.deleteFrom('areas').where('id', '=', area.areaId).execute()
    expectProblem(await post(harness, area), 404, 'hook_not_found')
  })

  it('refuses a body over the limit with 413', async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(5000) })
    const problem = expectProblem(await post(harness, hook, { body }), 413, 'payload_too_large')
    expect(problem.detail).toContain('4096 bytes')
  })

  it('refuses malformed JSON with 400, and an unsupported content type with 415', async () => {
    const malformed = expectProblem(await post(harness, hook, { body: '{"type": ' }), 400, 'malformed_json')
    expect(malformed.detail).toContain('not valid JSON')
    expectProblem(
      await post(harness, hook, { body: 'hello', contentType: 'text/plain' }),
      415,
      'unsupported_media_type',
    )
  })

  it('accepts a form body, its fields as the event', async () => {
    const response = await post(harness, hook, {
      body: 'action=opened&label=bug&label=urgent',
      contentType: 'application/x-www-form-urlencoded',
      id: 'msg_form',
    })
    expect(response.statusCode).toBe(202)
    const row = (await rowsOf(hook.hookJobId)).find((r) => r.delivery_id === 'msg_form')
    expect(row?.event_payload).toEqual({ action: 'opened', label: ['bug', 'urgent'] })
  })

  it('refuses a payload Postgres cannot store with 400, without failing the others of its batch', async () => {
    const responses = await Promise.all([
      post(harness, hook, { body: JSON.stringify({ ok: 1 }) }),
      post(harness, hook, { body: '{"text":"nul \\u0000 here"}' }),
      post(harness, hook, { body: JSON.stringify({ ok: 2 }) }),
    ])
    expect(responses.map((r) => r.statusCode)).toEqual([202, 400, 202])
    expect(responses[1]!.json()).toMatchObject({ code: 'bad_request' })
  })

  it('answers 429 with Retry-After once a hook is over its rate', async () => {
    const limited = await startApp(ctx, { rateLimitPerSecond: 0.001, rateLimitBurst: 2 })
    try {
      const area = await applyWebhookArea(ctx, userId, 'chatty')
      expect((await post(limited, area)).statusCode).toBe(202)
      expect((await post(limited, area)).statusCode).toBe(202)
      const refused = await post(limited, area)
      expectProblem(refused, 429, 'too_many_requests')
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
      // Other hooks keep their own budget.
      expect((await post(limited, hook)).statusCode).toBe(202)
      expect(await rowsOf(area.hookJobId)).toHaveLength(2)
    } finally {
      await limited.app.close()
    }
  })

  it('still answers 202 and keeps the event when Redis is unreachable', async () => {
    const unreachable = createQueue({ redisUrl: 'redis://127.0.0.1:1', prefix: `area-test-${randomUUID()}` })
    const down = await startApp({ ...ctx, queue: unreachable })
    try {
      const response = await post(down, hook, { id: 'msg_redis_down' })
      expect(response.statusCode).toBe(202)
      const row = (await rowsOf(hook.hookJobId)).find((r) => r.delivery_id === 'msg_redis_down')
      expect(row).toMatchObject({ id: response.json().hookLogId, processed: false })
      // The failed enqueue is given up on (the sweeper's job), not retried forever.
      await down.ingest.drain()
    } finally {
      await down.app.close()
      await unreachable.jobs.close()
    }
  })

  it('drains in-flight commits and enqueues when the app closes', async () => {
    const closing = await startApp(ctx)
    const before = test.enqueued.length
    const response = await post(closing, hook)
    await closing.app.close()
    expect(response.statusCode).toBe(202)
    expect(test.enqueued.slice(before)).toEqual([
      { hookLogId: response.json().hookLogId, areaActionId: hook.areaActionId },
    ])
  })
})
