/**
 * webhook.received's `verify` and `respond` params as the action sees them: what apply refuses
 * (with the field at fault), what validate warns about, and the answer `respond` renders.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { WebhookContext, WebhookHandler } from '../../../src/engine/define.js'
import type { Issue } from '../../../src/engine/errors.js'
import { validateParams } from '../../../src/engine/params.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { hasSecrets, redactParams } from '../../../src/engine/secret-params.js'
import type { JsonObject, Logger } from '../../../src/engine/types.js'
import { silentLogger } from '../../../src/engine/types.js'
import { builtinServices } from '../../../src/services/index.js'
import { received } from '../../../src/services/webhook/actions/received.js'
import { RESPOND_BUDGET } from '../../../src/services/webhook/respond.js'
import { normalizeArea } from '../../../src/spec/normalize.js'

const handler = received.webhook as WebhookHandler<Record<string, unknown>>
const issuesOf = (params: unknown) => {
  const result = validateParams(received.params, params as JsonObject, '/spec/action/params', 'trigger')
  return result.ok ? [] : result.issues
}

function context(
  params: JsonObject,
  headers: Record<string, string>,
  rawBody: string,
  logger: Logger = silentLogger,
): WebhookContext<Record<string, unknown>> {
  return {
    params,
    auth: undefined,
    settings: {},
    logger,
    request: { headers, rawBody: Buffer.from(rawBody), body: JSON.parse(rawBody), query: {} },
    secret: 'whsec_generated',
    hookJobId: 'hook-1',
    now: new Date(),
  }
}

describe('webhook.received verify param', () => {
  it('accepts each scheme; the secret is a secret param, shown as its fingerprint', () => {
    for (const scheme of [
      'standard',
      'token',
      'none',
      'stripe',
      'github',
      'gitlab',
      'slack',
      'shopify',
      'twilio',
    ])
      expect(issuesOf({ verify: { scheme } })).toEqual([])
    expect(issuesOf({ verify: { scheme: 'hmac', header: 'X-Signature', algorithm: 'sha512' } })).toEqual([])
    expect(hasSecrets(received.params)).toBe(true)
    const shown = redactParams(
      received.params,
      { verify: { scheme: 'stripe', secret: 'whsec_abc' } },
      () => 'f1f2f3f4f5f6',
    )
    expect(shown).toEqual({ verify: { scheme: 'stripe', secret: '<secret:f1f2f3f4f5f6>' } })
    // An exported file's placeholder is accepted back.
    expect(issuesOf({ verify: { scheme: 'stripe', secret: '<secret:f1f2f3f4f5f6>' } })).toEqual([])
  })

  it('refuses an unknown scheme, hmac without its header, and malformed settings, naming each field', () => {
    expect(issuesOf({ verify: { scheme: 'stripes' } })).toEqual([
      {
        path: '/spec/action/params/verify/scheme',
        message: expect.stringMatching(/must be one of: standard, hmac.*did you mean "stripe"/),
      },
    ])
    // Only the missing header: not also Ajv's `must match "then" schema` about the same fault.
    expect(issuesOf({ verify: { scheme: 'hmac' } })).toEqual([
      { path: '/spec/action/params/verify/header', message: 'is required' },
    ])
    const issues = issuesOf({
      verify: {
        scheme: 'hmac',
        header: 'X Sig',
        algorithm: 'md5',
        timestamp: { header: 'X-Ts', format: '{body}' },
      },
    })
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          path: '/spec/action/params/verify/header',
          message: expect.stringContaining('must be an HTTP header name'),
        },
        {
          path: '/spec/action/params/verify/algorithm',
          message: expect.stringContaining('must be one of: sha1, sha256, sha512'),
        },
        {
          path: '/spec/action/params/verify/timestamp/format',
          message: expect.stringContaining('must hold {timestamp} and {body} once each'),
        },
      ]),
    )
  })

  it('declares warnings for validate: none, and settings the scheme ignores', () => {
    expect(received.warnings?.({ verify: { scheme: 'none' } })).toEqual([
      { path: '/verify/scheme', message: expect.stringContaining('anyone') },
    ])
    expect(received.warnings?.({})).toEqual([])
  })

  it('verifies with the secret of its params over the AREA’s generated one', () => {
    const body = '{"id":1}'
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
    const params = { verify: { scheme: 'github', secret: 'mine' } }
    expect(handler.verify(context(params, { 'x-hub-signature-256': sign('mine') }, body))).toEqual({
      ok: true,
    })
    expect(handler.verify(context(params, { 'x-hub-signature-256': sign('whsec_generated') }, body)).ok).toBe(
      false,
    )
    expect(
      handler.verify(
        context({ verify: { scheme: 'github' } }, { 'x-hub-signature-256': sign('whsec_generated') }, body),
      ),
    ).toEqual({ ok: true })
  })
})

describe('webhook.received respond param', () => {
  it('refuses framing and cookie headers in any case, line breaks in values, and a non-2xx status', () => {
    const issues = issuesOf({
      respond: { status: 302, headers: { 'Content-Length': '10', 'x-ok': 'a\r\nset-cookie: x=1' } },
    })
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '/spec/action/params/respond/status', message: 'must be at most 299, not 302' },
        {
          path: '/spec/action/params/respond/headers',
          message: expect.stringContaining(
            'must be an HTTP header name other than connection, content-length',
          ),
        },
        {
          path: '/spec/action/params/respond/headers/x-ok',
          message: expect.stringContaining('must be one line of printable ASCII text'),
        },
      ]),
    )
    expect(issuesOf({ respond: { headers: { 'Set-Cookie': 'a=1' } } })).toHaveLength(1)
    expect(issuesOf({ respond: { headers: { 'Content-Type': 'text/xml' }, body: 'ok' } })).toEqual([])
  })

  it('renders a text body from the event, with its content type, and a mapping as JSON', () => {
    const body = JSON.stringify({ From: '+15551234', Body: 'hello <there>' })
    const text = handler.receive(
      context(
        {
          verify: { scheme: 'none' },
          respond: {
            headers: { 'content-type': 'text/xml' },
            body: '<Response><Message>Got {{ trigger.Body | escape }}</Message></Response>',
          },
        },
        {},
        body,
      ),
    )
    expect(text.response).toEqual({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      text: '<Response><Message>Got hello &lt;there&gt;</Message></Response>',
    })
    expect(text.events).toEqual([JSON.parse(body)])
    const json = handler.receive(
      context(
        { respond: { status: 201, body: { text: 'Thanks {{ trigger.From }}', from: '{{ trigger.From }}' } } },
        {},
        body,
      ),
    )
    expect(json.response).toEqual({
      status: 201,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      text: '{"text":"Thanks +15551234","from":"+15551234"}',
    })
    // Without respond, the default answer.
    expect(handler.receive(context({}, {}, body)).response).toBeUndefined()
  })

  it('falls back to the default answer, and logs why, when the template runs past its budget', () => {
    const warnings: string[] = []
    const logger = { ...silentLogger, warn: (_: unknown, msg?: string) => void warnings.push(msg ?? '') }
    const huge = `{% for i in (1..${RESPOND_BUDGET.maxBytes}) %}xx{% endfor %}`
    const receipt = handler.receive(context({ respond: { body: huge } }, {}, '{"a":1}', logger))
    expect(receipt.response).toBeUndefined()
    expect(receipt.events).toEqual([{ a: 1 }])
    expect(warnings).toEqual(['webhook respond: the answer template failed; answered 202'])
  })
})

describe('webhook.received in an AREA document', () => {
  const registry = createRegistry(builtinServices)
  const doc = (params: object) => ({
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name: 'hook' },
    spec: {
      action: { service: 'webhook', action: 'received', params },
      reactions: [{ id: 'r', service: 'http', reaction: 'request', params: { url: 'http://127.0.0.1:9/x' } }],
    },
  })

  it("passes the action's warnings to validate, at their place in the document", () => {
    const warnings: Issue[] = []
    normalizeArea(doc({ verify: { scheme: 'none' } }), registry, warnings)
    expect(warnings).toEqual([
      { path: '/spec/action/params/verify/scheme', message: expect.stringContaining('anyone who learns') },
    ])
    const quiet: Issue[] = []
    normalizeArea(doc({ verify: { scheme: 'stripe', secret: 'whsec_x' } }), registry, quiet)
    expect(quiet).toEqual([])
  })

  it('takes templates of the event in respond.body, and nowhere else in the action params', () => {
    expect(() => normalizeArea(doc({ respond: { body: 'Got {{ trigger.From }}' } }), registry)).not.toThrow()
    expect(() => normalizeArea(doc({ filter: { path: '{{ trigger.x }}' } }), registry)).toThrow(
      /\/spec\/action\/params\/filter\/path: templates are not allowed in action params/,
    )
  })
})
