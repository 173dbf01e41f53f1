/**
 * Each verification scheme of webhook.received against its sender's own documented example where
 * one is published (GitHub, Slack, Twilio), else a vector built here from the documented
 * algorithm with node:crypto (Stripe, Shopify, GitLab, hmac, token); each also refuses a
 * tampered body or signature, and a stale timestamp where the scheme signs one.
 */
import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { WebhookVerdict } from '../../../src/engine/define.js'
import { signHmac } from '../../../src/services/webhook/verify/hmac.js'
import { deliveryIdFor, verifierFor, verifyWarnings } from '../../../src/services/webhook/verify/index.js'
import type { VerifyParam } from '../../../src/services/webhook/verify/params.js'
import type { SignedRequest } from '../../../src/services/webhook/verify/signed-request.js'
import { signStripe } from '../../../src/services/webhook/verify/stripe.js'
import { signTwilio } from '../../../src/services/webhook/verify/twilio.js'

function request(
  headers: Record<string, string>,
  body: string,
  extra: Partial<Omit<SignedRequest, 'headers' | 'rawBody'>> = {},
): SignedRequest {
  return {
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    rawBody: Buffer.from(body),
    query: {},
    url: undefined,
    body: undefined,
    now: new Date(),
    ...extra,
  }
}

const check = (param: VerifyParam, secret: string | undefined, req: SignedRequest): WebhookVerdict =>
  verifierFor(param)(param.secret ?? secret, req)

function refused(verdict: WebhookVerdict, reason: RegExp | string) {
  expect(verdict.ok).toBe(false)
  expect(verdict.ok ? '' : verdict.reason).toMatch(reason)
}

const atSeconds = (seconds: number) => new Date(seconds * 1000)

describe('github preset', () => {
  // GitHub's documented test values ("Validating webhook deliveries").
  const secret = "It's a Secret to Everybody"
  const body = 'Hello, World!'
  const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'

  it("verifies GitHub's documented example and refuses a tampered body or signature", () => {
    const param: VerifyParam = { scheme: 'github' }
    expect(check(param, secret, request({ 'X-Hub-Signature-256': signature }, body))).toEqual({ ok: true })
    refused(
      check(param, secret, request({ 'X-Hub-Signature-256': signature }, 'Hello, World?')),
      /does not match/,
    )
    refused(
      check(param, secret, request({ 'X-Hub-Signature-256': signature.replace('757', '758') }, body)),
      /does not match/,
    )
    refused(check(param, secret, request({}, body)), /missing X-Hub-Signature-256 header/)
    refused(
      check(param, 'another secret', request({ 'X-Hub-Signature-256': signature }, body)),
      /does not match/,
    )
  })

  it('is the generic hmac scheme with the same settings, and takes the delivery id GitHub sends', () => {
    const param: VerifyParam = { scheme: 'hmac', header: 'X-Hub-Signature-256', prefix: 'sha256=' }
    expect(check(param, secret, request({ 'X-Hub-Signature-256': signature }, body))).toEqual({ ok: true })
    expect(deliveryIdFor({ scheme: 'github' }, request({ 'X-GitHub-Delivery': '72d3162e-cc78' }, body))).toBe(
      '72d3162e-cc78',
    )
  })
})

describe('slack preset', () => {
  // Slack's documented example ("Verifying requests from Slack"): a slash command's form body.
  const secret = '8f742231b10e8888abcd99yyyzzz85a5'
  const timestamp = 1531420618
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
  const headers = {
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  }
  const param: VerifyParam = { scheme: 'slack', secret }

  it("verifies Slack's documented example within five minutes of its timestamp", () => {
    expect(check(param, undefined, request(headers, body, { now: atSeconds(timestamp + 299) }))).toEqual({
      ok: true,
    })
  })

  it('refuses a tampered body, a tampered signature and a stale or future timestamp', () => {
    const now = atSeconds(timestamp)
    refused(
      check(param, undefined, request(headers, body.replace('roadrunner', 'coyote'), { now })),
      /does not match/,
    )
    refused(
      check(param, undefined, request({ ...headers, 'X-Slack-Signature': 'v0=00' }, body, { now })),
      /does not match/,
    )
    refused(
      check(param, undefined, request(headers, body, { now: atSeconds(timestamp + 301) })),
      /X-Slack-Request-Timestamp is 301 s in the past; at most 300 s/,
    )
    refused(
      check(param, undefined, request(headers, body, { now: atSeconds(timestamp - 400) })),
      /400 s in the future/,
    )
    // A tolerance of the AREA's own.
    expect(
      check(
        { ...param, tolerance: 600 },
        undefined,
        request(headers, body, { now: atSeconds(timestamp + 500) }),
      ),
    ).toEqual({ ok: true })
  })
})

describe('twilio preset', () => {
  // Twilio's documented example ("Webhooks security"): auth token 12345, this URL and these fields.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2'
  const fields = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  }
  const signed = (signature: string, body = fields, extra: Partial<SignedRequest> = {}) =>
    request(
      { 'X-Twilio-Signature': signature, 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams(body).toString(),
      { url, body, ...extra },
    )
  const param: VerifyParam = { scheme: 'twilio', secret: '12345' }

  it("verifies Twilio's documented example", () => {
    expect(signTwilio('12345', url, fields)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=')
    expect(check(param, undefined, signed('0/KCTR6DLpKmkAf8muzZqo1nDgQ='))).toEqual({ ok: true })
  })

  it('refuses a tampered field, another URL, or no URL to check against', () => {
    refused(
      check(param, undefined, signed('0/KCTR6DLpKmkAf8muzZqo1nDgQ=', { ...fields, Digits: '9999' })),
      /does not match/,
    )
    refused(
      check(
        param,
        undefined,
        signed('0/KCTR6DLpKmkAf8muzZqo1nDgQ=', fields, { url: 'https://mycompany.com/other' }),
      ),
      /does not match/,
    )
    refused(
      check(param, undefined, signed('0/KCTR6DLpKmkAf8muzZqo1nDgQ=', fields, { url: undefined })),
      /cannot tell the URL/,
    )
  })

  it('checks a JSON body against the bodySHA256 the signed URL carries', () => {
    // Built from Twilio's documented rule for JSON bodies: the URL is signed, the body's hash is in it.
    const json = '{"event":"call.completed"}'
    const sha = (text: string) => createHash('sha256').update(text).digest('hex')
    const jsonUrl = `https://example.test/hook?bodySHA256=${sha(json)}`
    const jsonRequest = (body: string, query: Record<string, string>) =>
      request(
        { 'X-Twilio-Signature': signTwilio('12345', jsonUrl, {}), 'content-type': 'application/json' },
        body,
        { url: jsonUrl, query, body: JSON.parse(body) },
      )
    expect(check(param, undefined, jsonRequest(json, { bodySHA256: sha(json) }))).toEqual({ ok: true })
    refused(
      check(param, undefined, jsonRequest('{"event":"call.failed"}', { bodySHA256: sha(json) })),
      /bodySHA256/,
    )
  })
})

describe('stripe preset', () => {
  // Stripe publishes the algorithm, not a vector: the header is built here from it, independently
  // of the code under test: t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>"> keyed with the secret's text.
  const secret = 'whsec_test_secret'
  const body = '{\n  "id": "evt_test_webhook",\n  "object": "event"\n}'
  const t = 1_700_000_000
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  const param: VerifyParam = { scheme: 'stripe', secret }

  it('verifies a header built from the documented algorithm, with any matching v1 among several', () => {
    expect(signStripe(secret, String(t), body)).toBe(`t=${t},v1=${v1}`)
    const now = atSeconds(t + 10)
    expect(
      check(param, undefined, request({ 'Stripe-Signature': `t=${t},v1=${v1}` }, body, { now })),
    ).toEqual({
      ok: true,
    })
    expect(
      check(
        param,
        undefined,
        request({ 'Stripe-Signature': `t=${t},v1=${'0'.repeat(64)},v1=${v1},v0=abc` }, body, { now }),
      ),
    ).toEqual({ ok: true })
    expect(deliveryIdFor(param, request({}, body, { body: JSON.parse(body) }))).toBe('evt_test_webhook')
  })

  it('refuses a tampered body or signature, a stale timestamp and a header without v1', () => {
    const now = atSeconds(t)
    const header = { 'Stripe-Signature': `t=${t},v1=${v1}` }
    refused(
      check(param, undefined, request(header, body.replace('event', 'evil'), { now })),
      /no v1= signature .* matches/,
    )
    refused(
      check(param, undefined, request(header, body, { now: atSeconds(t + 301) })),
      /t= in Stripe-Signature is 301 s in the past/,
    )
    refused(
      check(param, undefined, request({ 'Stripe-Signature': `t=${t + 1},v1=${v1}` }, body, { now })),
      /matches/,
    )
    refused(check(param, undefined, request({ 'Stripe-Signature': `t=${t}` }, body, { now })), /has no v1=/)
    refused(check(param, undefined, request({}, body, { now })), /missing Stripe-Signature/)
  })
})

describe('shopify preset', () => {
  // Shopify publishes the algorithm, not a vector: base64 HMAC-SHA256 of the raw body, built here.
  const secret = 'shpss_client_secret'
  const body = '{"id":820982911946154508,"email":"jon@example.com"}'
  const signature = createHmac('sha256', secret).update(body).digest('base64')
  const param: VerifyParam = { scheme: 'shopify', secret }

  it('verifies the base64 HMAC of the body and refuses a tampered one', () => {
    expect(check(param, undefined, request({ 'X-Shopify-Hmac-Sha256': signature }, body))).toEqual({
      ok: true,
    })
    refused(
      check(param, undefined, request({ 'X-Shopify-Hmac-Sha256': signature }, `${body} `)),
      /does not match/,
    )
    refused(
      check(param, undefined, request({ 'X-Shopify-Hmac-Sha256': `A${signature.slice(1)}` }, body)),
      /does not match/,
    )
    expect(deliveryIdFor(param, request({ 'X-Shopify-Webhook-Id': 'b54557e4' }, body))).toBe('b54557e4')
  })
})

describe('gitlab preset', () => {
  // GitLab documents the secret token sent as is in X-Gitlab-Token.
  const param: VerifyParam = { scheme: 'gitlab', secret: 'glwht-shared-token' }

  it('accepts the exact token and refuses another, a longer one, or none', () => {
    expect(check(param, undefined, request({ 'X-Gitlab-Token': 'glwht-shared-token' }, '{}'))).toEqual({
      ok: true,
    })
    refused(
      check(param, undefined, request({ 'X-Gitlab-Token': 'glwht-shared-tokeN' }, '{}')),
      /does not hold/,
    )
    refused(
      check(param, undefined, request({ 'X-Gitlab-Token': 'glwht-shared-token-and-more' }, '{}')),
      /does not hold/,
    )
    refused(check(param, undefined, request({}, '{}')), /missing X-Gitlab-Token header/)
  })
})

describe('hmac scheme', () => {
  const body = '{"order":42}'

  it('signs sha1, sha256 and sha512 in hex or base64, with or without a prefix', () => {
    for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
      for (const encoding of ['hex', 'base64'] as const) {
        const param: VerifyParam = {
          scheme: 'hmac',
          header: 'X-Sig',
          algorithm,
          encoding,
          prefix: `${algorithm}=`,
        }
        const signature = `${algorithm}=${createHmac(algorithm, 'k3y').update(body).digest(encoding)}`
        expect(check(param, 'k3y', request({ 'X-Sig': signature }, body))).toEqual({ ok: true })
        refused(check(param, 'k3y', request({ 'X-Sig': signature }, '{"order":43}')), /X-Sig does not match/)
      }
    }
    refused(
      check({ scheme: 'hmac', header: 'X-Sig', prefix: 'sha256=' }, 'k3y', request({ 'X-Sig': 'abc' }, body)),
      /X-Sig must be sha256=<hex HMAC-SHA256>/,
    )
  })

  it('signs a timestamp with the body in the format given, and refuses a stale one', () => {
    const param: VerifyParam = {
      scheme: 'hmac',
      header: 'X-Signature',
      timestamp: { header: 'X-Timestamp', format: 't={timestamp};{body}' },
      tolerance: 60,
    }
    const now = 1_750_000_000
    const signature = createHmac('sha256', 'k3y').update(`t=${now};${body}`).digest('hex')
    const at = (seconds: number, ts = now) =>
      request({ 'X-Signature': signature, 'X-Timestamp': String(ts) }, body, { now: atSeconds(seconds) })
    expect(check(param, 'k3y', at(now + 60))).toEqual({ ok: true })
    refused(check(param, 'k3y', at(now + 61)), /X-Timestamp is 61 s in the past; at most 60 s/)
    // The signature covers the timestamp: a fresh timestamp on an old signature fails.
    refused(
      check(param, 'k3y', at(now + 100, now + 100)),
      /does not match: expected .* of "t=\{timestamp\};\{body\}"/,
    )
    refused(check(param, 'k3y', request({ 'X-Signature': signature }, body)), /missing X-Timestamp header/)
    expect(
      signHmac(
        {
          header: 'x',
          algorithm: 'sha256',
          encoding: 'hex',
          timestamp: { header: 'y', format: 't={timestamp};{body}' },
        },
        'k3y',
        body,
        String(now),
      ),
    ).toBe(signature)
  })

  it('uses the AREA’s generated secret when verify has none, and refuses when there is neither', () => {
    const param: VerifyParam = { scheme: 'hmac', header: 'X-Sig' }
    const signature = createHmac('sha256', 'whsec_generated').update(body).digest('hex')
    expect(check(param, 'whsec_generated', request({ 'X-Sig': signature }, body))).toEqual({ ok: true })
    refused(check(param, undefined, request({ 'X-Sig': signature }, body)), /no signing secret/)
  })
})

describe('token scheme', () => {
  it('reads Authorization: Bearer by default, a header of its own, or a query parameter', () => {
    const bearer: VerifyParam = { scheme: 'token', secret: 's3cret' }
    expect(check(bearer, undefined, request({ Authorization: 'Bearer s3cret' }, ''))).toEqual({ ok: true })
    refused(
      check(bearer, undefined, request({ Authorization: 's3cret' }, '')),
      /Authorization header does not hold/,
    )
    const custom: VerifyParam = { scheme: 'token', secret: 's3cret', header: 'X-Token' }
    expect(check(custom, undefined, request({ 'X-Token': 's3cret' }, ''))).toEqual({ ok: true })
    refused(check(custom, undefined, request({ 'X-Token': 's3cre' }, '')), /X-Token header does not hold/)
    const query: VerifyParam = { scheme: 'token', secret: 's3cret', query: 'key' }
    expect(check(query, undefined, request({}, '', { query: { key: 's3cret' } }))).toEqual({ ok: true })
    refused(
      check(query, undefined, request({}, '', { query: { key: 'nope' } })),
      /query parameter key does not hold/,
    )
    refused(check(query, undefined, request({}, '')), /missing query parameter key/)
  })
})

describe('none and standard', () => {
  it('none accepts anything; standard stays the default without verify', () => {
    expect(check({ scheme: 'none' }, undefined, request({}, 'anything'))).toEqual({ ok: true })
    refused(
      verifierFor(undefined)('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', request({}, '{}')),
      /missing webhook-id/,
    )
    refused(
      check({ scheme: 'standard' }, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', request({}, '{}')),
      /missing webhook-id/,
    )
  })
})

describe('verifyWarnings', () => {
  it('warns about none and about settings the scheme ignores; a complete hmac has none', () => {
    expect(verifyWarnings({ scheme: 'none' })).toEqual([
      {
        path: '/verify/scheme',
        message: expect.stringContaining('anyone who learns this AREA’s URL can fire it'),
      },
    ])
    expect(verifyWarnings({ scheme: 'stripe', header: 'X-Sig', tolerance: 60 })).toEqual([
      { path: '/verify/header', message: 'is ignored by scheme stripe' },
    ])
    expect(verifyWarnings({ scheme: 'token', query: 'key', header: 'X-Token' })).toEqual([
      { path: '/verify/header', message: 'is ignored: the token is read from query' },
    ])
    expect(
      verifyWarnings({
        scheme: 'hmac',
        header: 'X-Sig',
        algorithm: 'sha1',
        encoding: 'base64',
        prefix: 'x=',
      }),
    ).toEqual([])
    expect(verifyWarnings(undefined)).toEqual([])
  })
})
