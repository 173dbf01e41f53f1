/**
 * discord.send_message through the worker path (timer → reaction) against a local fake that speaks
 * Discord's webhook API, including its error and rate-limit answers; the Slack fake receives what a
 * second reaction renders from the first one's output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drivers } from '../../support/db/stores.js'
import { type FakeDiscord, startFakeDiscord } from '../../support/fakes/discord.js'
import { type FakeSlack, startFakeSlack } from '../../support/fakes/slack.js'
import { expectDeclaredOutput } from '../../support/services/declared-shape.js'
import { everyMinute, type Flow, failure, fireOnce, openFlow } from '../../support/services/flow-harness.js'

describe.each(drivers)('discord.send_message through the worker (%s)', (driver) => {
  let flow: Flow
  let discord: FakeDiscord
  let slack: FakeSlack

  beforeAll(async () => {
    ;[flow, discord, slack] = await Promise.all([openFlow(driver), startFakeDiscord(), startFakeSlack()])
  })
  afterAll(async () => {
    await Promise.all([flow?.dispose(), discord?.close(), slack?.close()])
  })

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
    expectDeclaredOutput(
      'discord',
      'send_message',
      logs.find((l) => l.reaction_ref === 'post')?.response_payload,
    )
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
