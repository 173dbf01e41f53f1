/**
 * email.send through the worker path (timer → reaction) against a local SMTP server: the login of
 * the connection, the MIME message received, and the 4xx, 5xx and refused-login replies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drivers } from '../../support/db/stores.js'
import { type FakeSmtp, startFakeSmtp } from '../../support/fakes/smtp.js'
import { expectDeclaredOutput } from '../../support/services/declared-shape.js'
import { everyMinute, type Flow, failure, fireOnce, openFlow } from '../../support/services/flow-harness.js'

describe.each(drivers)('email.send through the worker (%s)', (driver) => {
  let flow: Flow
  let smtp: FakeSmtp
  const connection = `smtp-${driver}`

  beforeAll(async () => {
    smtp = await startFakeSmtp()
    // The fake listens on a random port: the operator's explicit opt-in to it.
    flow = await openFlow(driver, { AREA_SMTP_PORTS: String(smtp.port) })
    await flow.addConnection('email', connection, 'smtp', {
      host: smtp.host,
      port: smtp.port,
      secure: false,
      user: smtp.user,
      password: smtp.password,
      from: 'area <area@example.test>',
    })
    await flow.addConnection('email', `${connection}-bad-login`, 'smtp', {
      host: smtp.host,
      port: smtp.port,
      secure: false,
      user: smtp.user,
      password: 'wrong',
      from: 'area@example.test',
    })
  })
  afterAll(async () => {
    await Promise.all([flow?.dispose(), smtp?.close()])
  })

  const area = (name: string, params: Record<string, unknown>, conn = connection) =>
    flow.apply(name, {
      action: everyMinute(),
      reactions: [{ id: 'mail', service: 'email', reaction: 'send', connection: conn, params }],
    })

  it('sends over SMTP with the connection’s login; the server receives the MIME message', async () => {
    const applied = await area('mail-ok', {
      to: ['ops@example.test'],
      cc: ['lead@example.test'],
      subject: 'Tick every {{ trigger.interval_seconds }}s',
      text: 'Plain body for {{ area.name }}',
      html: '<p>HTML body for <b>{{ area.name }}</b></p>',
    })
    const job = await fireOnce(flow, applied)
    expect(await flow.execute(job)).toBe('done')
    const mail = smtp.messages.at(-1)!
    expect(mail.from).toBe('area@example.test')
    expect(mail.to).toEqual(['ops@example.test', 'lead@example.test'])
    expect(mail.raw).toMatch(/^Subject: Tick every 60s\r?$/m)
    expect(mail.raw).toMatch(/^To: ops@example\.test\r?$/m)
    expect(mail.raw).toMatch(/^Cc: lead@example\.test\r?$/m)
    expect(mail.raw).toMatch(/^From: area <area@example\.test>\r?$/m)
    expect(mail.raw).toContain('multipart/alternative')
    expect(mail.raw).toContain('Plain body for mail-ok')
    expect(mail.raw).toContain('<p>HTML body for <b>mail-ok</b></p>')
    const [log] = await flow.executions(job.hookLogId)
    expect(log).toMatchObject({
      status: 'success',
      response_payload: { accepted: ['ops@example.test', 'lead@example.test'], rejected: [] },
    })
    expectDeclaredOutput('email', 'send', log?.response_payload)
    // The Message-ID is derived from the idempotency key: a retried send carries the same one.
    const messageId = (log?.response_payload as { message_id?: string } | undefined)?.message_id
    expect(messageId).toMatch(/^<[0-9a-f]{32}@area>$/)
    expect(mail.raw).toContain(`Message-ID: ${messageId}`)
  })

  it('retries a 4xx SMTP reply and fails on a 5xx one or a refused login', async () => {
    const applied = await area('mail-errors', { to: ['someone@example.test'], subject: 's', text: 't' })
    const job = await fireOnce(flow, applied)
    smtp.rejectNextRecipient(451, '4.3.0 Mailbox temporarily unavailable')
    const transient = await failure(flow.execute(job, 1))
    expect(transient.errorClass).toBe('retryable')
    // The reply code and command, never the server's text (issue 11, point 11).
    expect(transient.message).toMatch(/reply 451 to RCPT/)
    expect(transient.message).not.toContain('Mailbox temporarily unavailable')

    const other = await area('mail-550', { to: ['nobody@example.test'], subject: 's', text: 't' })
    const job550 = await fireOnce(flow, other)
    smtp.rejectNextRecipient(550, '5.1.1 No such user')
    const permanent = await failure(flow.execute(job550))
    expect(permanent.errorClass).toBe('permanent')
    expect(permanent.message).toMatch(/reply 550 to RCPT/)
    expect(permanent.message).not.toContain('No such user')

    const badLogin = await area(
      'mail-535',
      { to: ['a@example.test'], subject: 's', text: 't' },
      `${connection}-bad-login`,
    )
    const refused = await failure(flow.execute(await fireOnce(flow, badLogin)))
    expect(refused.errorClass).toBe('permanent')
    expect(refused.message).toMatch(/login was refused \(reply 535 to AUTH\)/)

    const before = smtp.messages.length
    expect(await flow.execute(job, 2)).toBe('done')
    expect(smtp.messages).toHaveLength(before + 1)
  })
})
