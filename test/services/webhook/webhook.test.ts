import { describe, expect, it } from 'vitest'
import type { WebhookContext, WebhookHandler } from '../../../src/engine/define.js'
import { validateParams } from '../../../src/engine/params.js'
import type { JsonObject } from '../../../src/engine/types.js'
import { silentLogger } from '../../../src/engine/types.js'
import { applyFilter, received } from '../../../src/services/webhook/actions/received.js'
import { webhook } from '../../../src/services/webhook/index.js'
import { signStandardWebhook } from '../../../src/services/webhook/standard-webhooks.js'
import { expectDeclaredEvent } from '../../support/services/declared-shape.js'

const secret = `whsec_${Buffer.from('a 24 byte long test key!').toString('base64')}`
const otherSecret = `whsec_${Buffer.from('another key, just as long').toString('base64')}`
const now = new Date('2025-06-01T12:00:00.000Z')
const nowSeconds = String(now.getTime() / 1000)
const handler = received.webhook as WebhookHandler<Record<string, unknown>>

function signed(
  body: string,
  options: {
    id?: string
    timestamp?: string
    key?: string
    headers?: Record<string, string | undefined>
  } = {},
) {
  const id = options.id ?? 'msg_2Lk'
  const timestamp = options.timestamp ?? nowSeconds
  const signature = signStandardWebhook(options.key ?? secret, { id, timestamp, body })
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signature,
    ...options.headers,
  }
}

function context(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  overrides: Partial<WebhookContext<Record<string, unknown>>> = {},
): WebhookContext<Record<string, unknown>> {
  let body: unknown
  try {
    body = JSON.parse(rawBody)
  } catch {
    body = undefined
  }
  return {
    params: {},
    auth: undefined,
    settings: {},
    logger: silentLogger,
    request: { headers, rawBody: Buffer.from(rawBody), body, query: {} },
    secret,
    hookJobId: 'hook-1',
    now,
    ...overrides,
  }
}

const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1', amount: 1200 } })

describe('webhook service', () => {
  it('needs no connection and declares the received action as a webhook trigger only', () => {
    expect(webhook.id).toBe('webhook')
    expect(webhook.auth.kind).toBe('none')
    expect(webhook.actions.map((a) => a.id)).toEqual(['received'])
    expect(received.polling).toBeUndefined()
    expect(received.requiresConnection).toBe(false)
  })
})

describe('webhook.received verify (Standard Webhooks)', () => {
  it('accepts a valid signature', () => {
    expect(handler.verify(context(signed(body), body))).toEqual({ ok: true })
  })

  it('matches the Standard Webhooks reference signature', () => {
    // The example of the specification's reference libraries.
    const reference = signStandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: '1614265330',
      body: '{"test": 2432232314}',
    })
    expect(reference).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })

  it('refuses a signature made with another secret', () => {
    const verdict = handler.verify(context(signed(body, { key: otherSecret }), body))
    expect(verdict).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no webhook-signature matches'),
    })
  })

  it('refuses a tampered body', () => {
    const tampered = body.replace('1200', '1')
    expect(handler.verify(context(signed(body), tampered)).ok).toBe(false)
  })

  it('refuses a tampered id or timestamp', () => {
    const headers = signed(body)
    expect(handler.verify(context({ ...headers, 'webhook-id': 'msg_other' }, body)).ok).toBe(false)
    const earlier = String(Number(nowSeconds) - 1)
    expect(handler.verify(context({ ...headers, 'webhook-timestamp': earlier }, body)).ok).toBe(false)
  })

  it('refuses stale and future timestamps beyond 5 minutes, and accepts them within', () => {
    const at = (offset: number) => String(Number(nowSeconds) + offset)
    const stale = handler.verify(context(signed(body, { timestamp: at(-301) }), body))
    expect(stale).toMatchObject({ ok: false, reason: expect.stringContaining('in the past') })
    const future = handler.verify(context(signed(body, { timestamp: at(301) }), body))
    expect(future).toMatchObject({ ok: false, reason: expect.stringContaining('in the future') })
    expect(handler.verify(context(signed(body, { timestamp: at(-300) }), body)).ok).toBe(true)
    expect(handler.verify(context(signed(body, { timestamp: at(300) }), body)).ok).toBe(true)
  })

  it('refuses a timestamp that is not unix seconds', () => {
    const verdict = handler.verify(context(signed(body, { timestamp: '2025-06-01T12:00:00Z' }), body))
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringContaining('unix seconds') })
  })

  it('accepts a list of signatures when one of them is valid', () => {
    const headers = signed(body)
    const wrong = signStandardWebhook(otherSecret, { id: 'msg_2Lk', timestamp: nowSeconds, body })
    const list = `v2,ignored ${wrong} garbage ${headers['webhook-signature']}`
    expect(handler.verify(context({ ...headers, 'webhook-signature': list }, body))).toEqual({ ok: true })
    const onlyWrong = `${wrong} v1,${Buffer.alloc(32).toString('base64')}`
    expect(handler.verify(context({ ...headers, 'webhook-signature': onlyWrong }, body)).ok).toBe(false)
  })

  it('accepts the signature in a repeated header', () => {
    const headers = signed(body)
    const wrong = signStandardWebhook(otherSecret, { id: 'msg_2Lk', timestamp: nowSeconds, body })
    const repeated = { ...headers, 'webhook-signature': [wrong, headers['webhook-signature']] }
    expect(handler.verify(context(repeated, body))).toEqual({ ok: true })
  })

  it('names every missing header', () => {
    const verdict = handler.verify(context({ 'content-type': 'application/json' }, body))
    expect(verdict).toEqual({
      ok: false,
      reason: expect.stringContaining('missing webhook-id, webhook-timestamp, webhook-signature headers'),
    })
    const noSignature = handler.verify(
      context(signed(body, { headers: { 'webhook-signature': undefined } }), body),
    )
    expect(noSignature).toMatchObject({
      ok: false,
      reason: expect.stringContaining('missing webhook-signature header'),
    })
  })

  it('refuses everything when the hook has no secret', () => {
    expect(handler.verify(context(signed(body), body, { secret: undefined })).ok).toBe(false)
  })
})

describe('webhook.received receive', () => {
  it('returns the webhook-id as delivery id and the parsed body as the event', () => {
    expect(handler.receive(context(signed(body), body))).toEqual({
      deliveryId: 'msg_2Lk',
      events: [JSON.parse(body)],
    })
  })

  it('wraps a body that is not an object', () => {
    expect(handler.receive(context(signed('[1,2]'), '[1,2]')).events).toEqual([{ payload: [1, 2] }])
    for (const raw of [body, '[1,2]', '"text"']) {
      for (const event of handler.receive(context(signed(raw), raw)).events) {
        expectDeclaredEvent('webhook', 'received', event)
      }
    }
  })
})

describe('webhook.received filter', () => {
  const event: JsonObject = {
    type: 'invoice.paid',
    data: { items: [{ status: 'ok' }], urgent: false, note: null },
  }
  const trigger = (filter: Record<string, unknown> | undefined) =>
    received.trigger?.({ params: filter ? { filter } : {}, event, logger: silentLogger })

  it('fires every event without a filter', () => {
    expect(trigger(undefined)).toEqual({ triggered: true, event })
  })

  it('compares the value at a dot path with equals, as JSON', () => {
    expect(trigger({ path: 'type', equals: 'invoice.paid' })).toEqual({ triggered: true, event })
    expect(trigger({ path: 'data.items[0].status', equals: 'ok' })).toMatchObject({ triggered: true })
    expect(trigger({ path: 'data.items', equals: [{ status: 'ok' }] })).toMatchObject({ triggered: true })
    expect(trigger({ path: 'data.note', equals: null })).toMatchObject({ triggered: true })
    expect(trigger({ path: 'type', equals: 'invoice.failed' })).toEqual({
      triggered: false,
      reason: 'filter: type is "invoice.paid", not "invoice.failed"',
    })
    expect(trigger({ path: 'data.urgent', equals: 'false' })).toMatchObject({ triggered: false })
    expect(trigger({ path: 'missing', equals: 1 })).toEqual({
      triggered: false,
      reason: 'filter: missing is absent, not 1',
    })
  })

  it('checks presence with exists, and requires presence when neither option is given', () => {
    expect(trigger({ path: 'data.urgent', exists: true })).toMatchObject({ triggered: true })
    expect(trigger({ path: 'data.urgent', exists: false })).toEqual({
      triggered: false,
      reason: 'filter: data.urgent is present',
    })
    expect(trigger({ path: 'data.other', exists: false })).toMatchObject({ triggered: true })
    expect(trigger({ path: 'data.other' })).toEqual({
      triggered: false,
      reason: 'filter: data.other is absent',
    })
    expect(trigger({ path: 'data.note' })).toMatchObject({ triggered: true })
  })

  it('is exported for direct use', () => {
    expect(applyFilter({ path: 'a' }, { a: 1 })).toEqual({ triggered: true, event: { a: 1 } })
  })

  it('validates the params: a path is required, nothing unknown', () => {
    const check = (params: Record<string, unknown>) =>
      validateParams(received.params, params as never, '/p', 'run')
    expect(check({}).ok).toBe(true)
    expect(check({ filter: { path: 'type', equals: { any: ['json'] } } }).ok).toBe(true)
    expect(check({ filter: { equals: 1 } })).toMatchObject({ ok: false })
    expect(check({ filter: { path: '' } }).ok).toBe(false)
    expect(check({ filter: { path: 'a', exists: 'yes' } }).ok).toBe(false)
    expect(check({ filter: { path: 'a', match: 1 } }).ok).toBe(false)
    expect(check({ secret: 'x' }).ok).toBe(false)
  })
})
