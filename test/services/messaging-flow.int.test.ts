/**
 * Discord, Slack and e-mail reactions through the worker path (timer → reaction) against local
 * fakes that speak each wire format, including their error and rate-limit answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReactionFailedError } from '../../src/engine/run.js'
import { drivers } from '../support/db/stores.js'
import { type FakeDiscord, startFakeDiscord } from '../support/fakes/discord.js'
import { type FakeSlack, startFakeSlack } from '../support/fakes/slack.js'
import { type FakeSmtp, startFakeSmtp } from '../support/fakes/smtp.js'
import { everyMinute, type Flow, fireOnce, openFlow } from '../support/services/flow-harness.js'

describe.each(drivers)('messaging reactions through the worker (%s)', (driver) => {
  let flow: Flow
  let discord: FakeDiscord
  let slack: FakeSlack
  let smtp: FakeSmtp

  beforeAll(async () => {
    ;[flow, discord, slack, smtp] = await Promise.all([
      openFlow(driver),
      startFakeDiscord(),
      startFakeSlack(),
      startFakeSmtp(),
    ])
  })
  afterAll(async () => {
    await Promise.all([flow?.dispose(), discord?.close(), slack?.close(), smtp?.close()])
  })

  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReactionFailedError)
    return error as ReactionFailedError
  }

  describe('discord.send_message', () => {
    const area = (name: string, params: Record<string, unknown>) =>
      flow.apply(name, {
        action: everyMinute(),
        reactions: [
          {
            id: 'post',
            service: 'discord',
            reaction: 'send_message',
            params: { webhook_url: discord.webhookUrl, ...params },
          },
          {
            id: 'echo',
            service: 'slack',
            reaction: 'post_message',
            params: { webhook_url: slack.webhookUrl, text: 'discord message {{ reactions.post.id }}' },
          },
        ],
      })

    it('posts content, username and embeds with ?wait=true and outputs the created message', async () => {
      const applied = await area('discord-ok', {
        content: 'tick at {{ trigger.scheduled_at }}',
        username: 'area',
        avatar_url: 'https://example.com/a.png',
        embeds: [{ title: 'Tick', description: 'every {{ trigger.interval_seconds }}s', color: 5814783 }],
      })
      const job = await fireOnce(flow, applied)
      expect(await flow.execute(job)).toBe('done')
      const request = discord.requests.at(-1)!
      expect(request.query.get('wait')).toBe('true')
      expect(request.headers['content-type']).toBe('application/json')
      const sent = JSON.parse(request.body)
      expect(sent).toEqual({
        content: expect.stringMatching(/^tick at \d{4}-\d\d-\d\dT/),
        username: 'area',
        avatar_url: 'https://example.com/a.png',
        embeds: [{ title: 'Tick', description: 'every 60s', color: 5814783 }],
      })
      const message = discord.messages.at(-1)!
      expect(slack.messages.at(-1)).toEqual({ text: `discord message ${message.id}` })
      const logs = await flow.executions(job.hookLogId)
      expect(logs.find((l) => l.reaction_ref === 'post')).toMatchObject({
        status: 'success',
        response_payload: { id: message.id, channel_id: message.channel_id, content: sent.content },
      })
    })

    it('turns a 429 into a retry after retry_after, then sends once on the retry', async () => {
      const applied = await area('discord-429', { content: 'hello' })
      const job = await fireOnce(flow, applied)
      discord.rateLimitNext(1.25)
      const error = await failure(flow.execute(job, 1))
      expect(error.errorClass).toBe('retryable')
      expect(error.retryAfterMs).toBe(1250)
      expect(error.message).toContain('You are being rate limited')
      const before = discord.messages.length
      expect(await flow.execute(job, 2)).toBe('done')
      expect(discord.messages).toHaveLength(before + 1)
    })

    it('fails permanently on 4xx with Discord’s message and code, and retries a 5xx', async () => {
      const unknown = await area('discord-404', {
        webhook_url: `${discord.url}/api/webhooks/1/nope`,
        content: 'x',
      })
      const error = await failure(flow.execute(await fireOnce(flow, unknown)))
      expect(error.errorClass).toBe('permanent')
      expect(error.message).toContain('404: Unknown Webhook (code 10015)')
      // The token in the URL's path is a secret: errors show the origin only.
      expect(error.message).not.toContain('/api/webhooks')

      const badToken = await area('discord-401', {
        webhook_url: discord.webhookUrl.replace(/[^/]+$/, 'wrong'),
        content: 'x',
      })
      const unauthorized = await failure(flow.execute(await fireOnce(flow, badToken)))
      expect(unauthorized.errorClass).toBe('permanent')
      expect(unauthorized.message).toContain('Invalid Webhook Token (code 50027)')

      const flaky = await area('discord-502', { content: 'x' })
      const job = await fireOnce(flow, flaky)
      discord.queued.push({ status: 502, body: { message: 'Bad Gateway' } })
      expect((await failure(flow.execute(job))).errorClass).toBe('retryable')
      const logs = await flow.executions(job.hookLogId)
      expect(logs.find((l) => l.reaction_ref === 'post')).toMatchObject({
        status: 'failed',
        error_class: 'retryable',
      })
    })
  })

  describe('slack.post_message', () => {
    const area = (name: string, params: Record<string, unknown>) =>
      flow.apply(name, {
        action: everyMinute(),
        reactions: [
          {
            id: 'post',
            service: 'slack',
            reaction: 'post_message',
            params: { webhook_url: slack.webhookUrl, ...params },
          },
        ],
      })

    it('posts text and blocks; Slack’s "ok" answers success', async () => {
      const applied = await area('slack-ok', {
        text: 'tick {{ trigger.interval_seconds }}',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: '*tick* {{ trigger.interval_seconds }}' } },
        ],
      })
      const job = await fireOnce(flow, applied)
      expect(await flow.execute(job)).toBe('done')
      expect(slack.messages.at(-1)).toEqual({
        text: 'tick 60',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*tick* 60' } }],
      })
      expect(await flow.executions(job.hookLogId)).toMatchObject([
        { status: 'success', response_payload: { ok: true } },
      ])
    })

    it('fails permanently on Slack’s plain-text 4xx codes and retries 429 with Retry-After', async () => {
      const gone = await area('slack-404', { webhook_url: slack.deletedChannelUrl, text: 'x' })
      const notFound = await failure(flow.execute(await fireOnce(flow, gone)))
      expect(notFound.errorClass).toBe('permanent')
      expect(notFound.message).toContain('404: channel_not_found')

      const invalid = await area('slack-400', { blocks: [{ text: 'no type' }] })
      const badBlocks = await failure(flow.execute(await fireOnce(flow, invalid)))
      expect(badBlocks.errorClass).toBe('permanent')
      expect(badBlocks.message).toContain('400: invalid_blocks')

      const limited = await area('slack-429', { text: 'x' })
      const job = await fireOnce(flow, limited)
      slack.queued.push({
        status: 429,
        headers: { 'retry-after': '30', 'content-type': 'text/html' },
        body: 'rate_limited',
      })
      const error = await failure(flow.execute(job))
      expect(error).toMatchObject({ errorClass: 'retryable', retryAfterMs: 30_000 })
      slack.queued.push({ status: 500, headers: { 'content-type': 'text/html' }, body: 'rollup_error' })
      expect((await failure(flow.execute(job, 2))).errorClass).toBe('retryable')
      expect(await flow.execute(job, 3)).toBe('done')
    })
  })

  describe('email.send', () => {
    const connection = `smtp-${driver}`
    beforeAll(async () => {
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
      expect(transient.message).toContain('Mailbox temporarily unavailable')

      const other = await area('mail-550', { to: ['nobody@example.test'], subject: 's', text: 't' })
      const job550 = await fireOnce(flow, other)
      smtp.rejectNextRecipient(550, '5.1.1 No such user')
      const permanent = await failure(flow.execute(job550))
      expect(permanent.errorClass).toBe('permanent')
      expect(permanent.message).toContain('No such user')

      const badLogin = await area(
        'mail-535',
        { to: ['a@example.test'], subject: 's', text: 't' },
        `${connection}-bad-login`,
      )
      const refused = await failure(flow.execute(await fireOnce(flow, badLogin)))
      expect(refused.errorClass).toBe('permanent')
      expect(refused.message).toMatch(/535|Invalid login/)

      const before = smtp.messages.length
      expect(await flow.execute(job, 2)).toBe('done')
      expect(smtp.messages).toHaveLength(before + 1)
    })
  })
})
