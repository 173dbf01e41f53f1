/**
 * Signed webhooks from other senders through the real ingest route, in one `area serve` process
 * (PGlite, the in-process queue): a Stripe-signed delivery keyed with the secret of the AREA's
 * params, a GitHub-style hmac keyed with the AREA's generated secret, a tampered one of each
 * refused with a problem that says why, and a Twilio delivery (and its retry, recorded once)
 * answered with the AREA's TwiML (`respond`). The Stripe secret is shown only as its fingerprint and never logged.
 */
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signTwilio } from '../../src/services/webhook/verify/twilio.js'
import { type ApiUser, applyArea, call, signup, waitFor, webhookOf } from '../support/api/client.js'
import { cliSession } from '../support/cli/cli-session.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { sinkArea } from '../support/sink/sink-areas.js'

const stripeSecret = 'whsec_e2e_stripe_signing_secret_0123456789'
const twilioToken = 'e2e-twilio-auth-token-abcdef'

async function post(api: DaemonProcess, webhookUrl: string, headers: Record<string, string>, body: string) {
  // Sent to the process's own address; signed (Twilio) with the URL the server names itself by.
  const response = await fetch(`${api.url}${new URL(webhookUrl).pathname}`, { method: 'POST', headers, body })
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() }
}

describe('webhooks signed by other senders', () => {
  let topology: Topology
  let sink: HttpSink
  let api: DaemonProcess
  let user: ApiUser
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({ name: 'signed-hooks', embedded: true })
    sink = await startHttpSink()
    ;[api] = await topology.start('all')
    user = await signup(api.url, 'hooks@example.test')
  }, 120_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 60_000)

  it('accepts Stripe and GitHub-style deliveries, refuses tampered ones, and answers Twilio with TwiML', async () => {
    const area = (name: string, params: Record<string, unknown>) =>
      sinkArea(name, { service: 'webhook', action: 'received', params }, sink.url, [
        { path: `/${name}`, body: { type: '{{ trigger.type }}' } },
      ])
    await applyArea(user, area('payments', { verify: { scheme: 'stripe', secret: stripeSecret } }))
    await applyArea(user, area('plain', {}))
    await applyArea(
      user,
      area('builds', { verify: { scheme: 'hmac', header: 'X-Hub-Signature-256', prefix: 'sha256=' } }),
    )
    await applyArea(
      user,
      area('sms', {
        verify: { scheme: 'twilio', secret: twilioToken },
        respond: {
          headers: { 'content-type': 'text/xml' },
          body: '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks!</Message></Response>',
        },
      }),
    )

    // Stripe: keyed with the secret of the params, over "<t>.<body>".
    const payments = await webhookOf(user, 'payments')
    const invoice = JSON.stringify({ id: 'evt_1', type: 'invoice.paid' })
    const t = Math.floor(Date.now() / 1000)
    const v1 = createHmac('sha256', stripeSecret).update(`${t}.${invoice}`).digest('hex')
    const json = { 'content-type': 'application/json' }
    const paid = await post(
      api,
      payments.webhookUrl,
      { ...json, 'stripe-signature': `t=${t},v1=${v1}` },
      invoice,
    )
    expect(paid.status).toBe(202)
    const forged = await post(
      api,
      payments.webhookUrl,
      { ...json, 'stripe-signature': `t=${t},v1=${v1}` },
      invoice.replace('paid', 'voided'),
    )
    expect(forged.status).toBe(401)
    expect(forged.type).toMatch(/^application\/problem\+json/)
    expect(JSON.parse(forged.text)).toMatchObject({
      code: 'invalid_signature',
      detail: expect.stringContaining('no v1= signature of Stripe-Signature matches'),
    })

    // GitHub-style hmac: keyed with the AREA's generated secret.
    const builds = await webhookOf(user, 'builds')
    const push = JSON.stringify({ type: 'push' })
    const signature = `sha256=${createHmac('sha256', builds.secret).update(push).digest('hex')}`
    const built = await post(api, builds.webhookUrl, { ...json, 'x-hub-signature-256': signature }, push)
    expect(built.status).toBe(202)
    const wrong = await post(
      api,
      builds.webhookUrl,
      { ...json, 'x-hub-signature-256': signature },
      `${push} `,
    )
    expect(wrong.status).toBe(401)
    expect(JSON.parse(wrong.text).detail).toContain('X-Hub-Signature-256 does not match')

    // Twilio: a form body, signed with the AREA's public URL, answered with the AREA's TwiML.
    const sms = await webhookOf(user, 'sms')
    const fields = { From: '+15551234567', Body: 'hello', type: 'sms' }
    const deliver = () =>
      post(
        api,
        sms.webhookUrl,
        {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilio(twilioToken, sms.webhookUrl, fields),
          'i-twilio-idempotency-token': 'twilio-delivery-1',
        },
        new URLSearchParams(fields).toString(),
      )
    const twiml = {
      status: 200,
      type: 'text/xml',
      text: '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks!</Message></Response>',
    }
    expect(await deliver()).toEqual(twiml)
    // Twilio's retry of the same delivery is recorded once, and answered the same.
    expect(await deliver()).toEqual(twiml)

    // Each accepted event ran its reaction; the refused ones did not.
    const seen = await waitFor('the three reactions', async () =>
      sink.requests.length >= 3 ? sink.requests : undefined,
    )
    expect(seen.map((r) => [r.path, r.json]).sort()).toEqual([
      ['/builds', { type: 'push' }],
      ['/payments', { type: 'invoice.paid' }],
      ['/sms', { type: 'sms' }],
    ])

    const events = await call<{ items: { deliveryId: string }[] }>(api.url, 'GET', '/v1/logs?area=sms', {
      token: user.token,
    })
    expect(events.body.items.map((e) => e.deliveryId)).toEqual(['twilio-delivery-1'])

    // The secret is shown as its fingerprint, and logged nowhere.
    const shown = await call<{ spec: { spec: { action: { params: { verify: { secret: string } } } } } }>(
      api.url,
      'GET',
      '/v1/areas/payments',
      { token: user.token },
    )
    expect(shown.body.spec.spec.action.params.verify.secret).toMatch(/^<secret:[0-9a-f]{12}>$/)
    expect(JSON.stringify(api.logs)).not.toContain(stripeSecret)
    expect(JSON.stringify(api.logs)).not.toContain(twilioToken)

    // `area describe` offers the Standard Webhooks curl example only where it would be accepted.
    const cli = await cliSession('signed-hooks', api.url)
    try {
      const env = { AREA_TOKEN: user.token }
      const [stripeArea, standardArea] = await Promise.all([
        cli.area(['describe', 'payments'], { env }),
        cli.area(['describe', 'plain'], { env }),
      ])
      expect(stripeArea.code).toBe(0)
      expect(stripeArea.stdout).toContain(
        'Deliveries are checked with verify.scheme stripe: the sender signs them.',
      )
      expect(stripeArea.stdout).not.toContain('openssl')
      expect(standardArea.stdout).toContain('Send a signed test event:')
      expect(standardArea.stdout).toContain('webhook-signature: v1,')
    } finally {
      await cli.cleanup()
    }
  }, 120_000)
})
