/**
 * The webhook accept use case on its own: a fake pipeline (hook cache, rate limiter, batcher) and
 * a fake service, so each outcome is reached directly. The route's answers to them are tested
 * through Fastify in test/daemon/api/webhooks.int.test.ts.
 */

import { describe, expect, it } from 'vitest'
import type { HookTarget } from '../../../src/daemon/ingest/hook-cache.js'
import { IngestUnavailableError } from '../../../src/daemon/ingest/ingest-batcher.js'
import type { OutageLog } from '../../../src/daemon/outage-log.js'
import type { WebhookHandler, WebhookReceipt } from '../../../src/engine/define.js'
import type { Registry } from '../../../src/engine/registry.js'
import type { Engine } from '../../../src/engine/run.js'
import { type JsonObject, silentLogger } from '../../../src/engine/types.js'
import {
  type AcceptResult,
  createWebhookAccept,
  type WebhookDelivery,
} from '../../../src/features/webhooks/accept.js'
import type { NewWebhookEvent, WebhookEventOutcome } from '../../../src/store/webhook-events.js'

const hookJobId = '0b6a7f4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b'

const hook: HookTarget = {
  hookJobId,
  areaActionId: 'action-1',
  areaId: 'area-1',
  userId: 'user-1',
  service: 'hooky',
  action: 'got',
  params: { label: 'x' },
  secret: 'whsec_test',
}

interface Setup {
  verify?: WebhookHandler<JsonObject>['verify']
  receive?: WebhookHandler<JsonObject>['receive']
  rate?: { ok: true } | { ok: false; retryAfterSeconds: number }
  submit?: (event: NewWebhookEvent) => Promise<WebhookEventOutcome>
  databaseOutage?: OutageLog
}

function setup(options: Setup = {}) {
  const submitted: NewWebhookEvent[] = []
  const invalidated: string[] = []
  const errors: unknown[] = []
  const handler: WebhookHandler<JsonObject> = {
    verify: options.verify ?? (() => ({ ok: true })),
    receive: options.receive ?? ((ctx) => ({ deliveryId: 'd-1', events: [ctx.request.body as JsonObject] })),
  }
  const registry = {
    action: (service: string, action: string) =>
      service === 'hooky' && action === 'got' ? { webhook: handler } : undefined,
  } as unknown as Registry
  const engine = { settingsFor: () => ({}) } as unknown as Engine
  let next = 0
  const accept = createWebhookAccept(
    { registry, engine },
    {
      hooks: {
        get: async (id: string) => (id === hookJobId ? hook : undefined),
        invalidate: (id: string) => invalidated.push(id),
        clear() {},
        size: 0,
      },
      limiter: { take: () => options.rate ?? { ok: true } },
      batcher: {
        submit: (event: NewWebhookEvent) => {
          submitted.push(event)
          if (options.submit) return options.submit(event)
          next += 1
          return Promise.resolve({ status: 'accepted', hookLogId: `log-${next}` })
        },
      } as never,
      ...(options.databaseOutage ? { databaseOutage: options.databaseOutage } : {}),
    },
    (target: string, result: AcceptResult) => ({ target, result }),
  )
  const deliver = (body: string, overrides: Partial<WebhookDelivery> = {}) =>
    accept(
      {
        params: { service: 'hooky', hookJobId },
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(body),
        query: {},
        log: { ...silentLogger, error: (obj: object | string) => errors.push(obj) },
        ...overrides,
      },
      'the reply',
    ).then(({ target, result }) => {
      expect(target).toBe('the reply')
      return result
    })
  return { deliver, submitted, invalidated, errors }
}

describe('accepting a webhook delivery', () => {
  it('records the events the service finds, one dedup key each', async () => {
    const one = setup()
    expect(await one.deliver('{"a":1}')).toEqual({
      outcome: 'accepted',
      hookLogIds: ['log-1'],
      response: undefined,
    })
    expect(one.submitted).toEqual([
      { hookJobId, areaActionId: 'action-1', deliveryId: 'd-1', payloadJson: '{"a":1}', sizeBytes: 7 },
    ])

    const many = setup({ receive: () => ({ deliveryId: 'd-2', events: [{ n: 1 }, { n: 2 }] }) })
    expect(await many.deliver('{}')).toMatchObject({ outcome: 'accepted', hookLogIds: ['log-1', 'log-2'] })
    expect(many.submitted.map((e) => e.deliveryId)).toEqual(['d-2#0', 'd-2#1'])
  })

  it('names no hook the same way whatever is wrong with the URL', async () => {
    const { deliver, submitted } = setup()
    const notFound = { outcome: 'not_found' }
    expect(await deliver('{}', { params: { service: 'hooky', hookJobId: 'not-a-uuid' } })).toEqual(notFound)
    expect(
      await deliver('{}', {
        params: { service: 'hooky', hookJobId: '1b6a7f4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b' },
      }),
    ).toEqual(notFound)
    expect(await deliver('{}', { params: { service: 'other', hookJobId } })).toEqual(notFound)
    // The id is matched whatever its case.
    expect(
      await deliver('{}', { params: { service: 'hooky', hookJobId: hookJobId.toUpperCase() } }),
    ).toMatchObject({ outcome: 'accepted' })
    expect(submitted).toHaveLength(1)
  })

  it('checks the signature first, then the rate, then the body', async () => {
    const refused = setup({
      verify: () => ({ ok: false, reason: 'bad' }),
      rate: { ok: false, retryAfterSeconds: 3 },
    })
    expect(await refused.deliver('not json')).toEqual({ outcome: 'invalid_signature', reason: 'bad' })
    const limited = setup({ rate: { ok: false, retryAfterSeconds: 3 } })
    expect(await limited.deliver('not json')).toEqual({ outcome: 'rate_limited', retryAfterSeconds: 3 })
    const unreadable = setup()
    expect(await unreadable.deliver('not json')).toMatchObject({
      outcome: 'unreadable',
      body: { ok: false, code: 'malformed_json' },
    })
    expect([...refused.submitted, ...limited.submitted, ...unreadable.submitted]).toEqual([])
  })

  it('records nothing for a delivery without events, nor for an overlong delivery id', async () => {
    const response: WebhookReceipt['response'] = { status: 200, body: { pong: true } }
    const ping = setup({ receive: () => ({ events: [], response }) })
    expect(await ping.deliver('{}')).toEqual({ outcome: 'nothing_to_record', response })
    const long = setup({ receive: () => ({ deliveryId: 'x'.repeat(257), events: [{}] }) })
    expect(await long.deliver('{}')).toEqual({ outcome: 'delivery_id_too_long' })
    expect([...ping.submitted, ...long.submitted]).toEqual([])
  })

  it('tells a replay, and forgets a hook disabled since it was cached', async () => {
    const replay = setup({ submit: async () => ({ status: 'duplicate', hookLogId: 'log-0' }) })
    expect(await replay.deliver('{}')).toEqual({ outcome: 'duplicate', hookLogIds: ['log-0'] })
    const gone = setup({ submit: async () => ({ status: 'gone' }) })
    expect(await gone.deliver('{}')).toEqual({ outcome: 'not_found' })
    expect(gone.invalidated).toEqual([hookJobId])
  })

  it('says why an event could not be recorded, and leaves an unavailable ingest to the route', async () => {
    const poison = Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' })
    const unstorable = setup({ submit: () => Promise.reject(poison) })
    expect(await unstorable.deliver('{}')).toEqual({
      outcome: 'unstorable',
      reason: 'unsupported Unicode escape sequence',
    })
    const down = setup({ submit: () => Promise.reject(new Error('connection refused')) })
    expect(await down.deliver('{}')).toEqual({ outcome: 'not_recorded' })
    expect(down.errors).toHaveLength(1)
    const closing = setup({
      submit: () => Promise.reject(new IngestUnavailableError('the ingest is closing')),
    })
    await expect(closing.deliver('{}')).rejects.toBeInstanceOf(IngestUnavailableError)
  })

  it('counts a database outage in the outage log instead of logging each delivery', async () => {
    const restart = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    })
    const failures: unknown[] = []
    const databaseOutage: OutageLog = {
      failed: (error: unknown) => {
        failures.push(error)
      },
      succeeded() {},
      down: false,
    }
    const down = setup({ submit: () => Promise.reject(restart), databaseOutage })
    const results = []
    for (let i = 0; i < 5; i++) results.push(await down.deliver('{}'))
    expect(results).toEqual(Array(5).fill({ outcome: 'database_unavailable' }))
    expect(failures).toEqual(Array(5).fill(restart))
    expect(down.errors).toEqual([])
  })

  it('serialises each event on its own: one that cannot be stored is refused before it is batched', async () => {
    let deep: unknown = []
    for (let i = 0; i < 20_000; i++) deep = [deep]
    const overflow = setup({ receive: () => ({ deliveryId: 'd-1', events: [{ deep } as never] }) })
    expect(await overflow.deliver('{}')).toMatchObject({
      outcome: 'unstorable',
      reason: expect.stringContaining('cannot be serialised'),
    })
    const nul = setup()
    expect(await nul.deliver('{"text":"a \\u0000 b"}')).toMatchObject({
      outcome: 'unstorable',
      reason: expect.stringContaining('U+0000'),
    })
    const surrogate = setup()
    expect(await surrogate.deliver('{"text":"\\ud800"}')).toMatchObject({ outcome: 'unstorable' })
    expect([...overflow.submitted, ...nul.submitted, ...surrogate.submitted]).toEqual([])
    // A pair of surrogates is a character, and an escaped backslash before "u0000" is text.
    const fine = setup()
    expect(await fine.deliver('{"emoji":"\\ud83d\\ude00","text":"\\\\u0000"}')).toMatchObject({
      outcome: 'accepted',
    })
    expect(fine.submitted.map((e) => JSON.parse(e.payloadJson))).toEqual([{ emoji: '😀', text: '\\u0000' }])
  })
})
