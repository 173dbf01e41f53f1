/**
 * slack.post_message through the worker path (timer → reaction) against a local fake that speaks
 * Slack's incoming-webhook API, including its plain-text error codes and rate-limit answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drivers } from '../../support/db/stores.js'
import { type FakeSlack, startFakeSlack } from '../../support/fakes/slack.js'
import { expectDeclaredOutput } from '../../support/services/declared-shape.js'
import { everyMinute, type Flow, failure, fireOnce, openFlow } from '../../support/services/flow-harness.js'

describe.each(drivers)('slack.post_message through the worker (%s)', (driver) => {
  let flow: Flow
  let slack: FakeSlack

  beforeAll(async () => {
    ;[flow, slack] = await Promise.all([openFlow(driver), startFakeSlack()])
  })
  afterAll(async () => {
    await Promise.all([flow?.dispose(), slack?.close()])
  })

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
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*tick* {{ trigger.interval_seconds }}' } }],
    })
    const job = await fireOnce(flow, applied)
    expect(await flow.execute(job)).toBe('done')
    expect(slack.messages.at(-1)).toEqual({
      text: 'tick 60',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*tick* 60' } }],
    })
    const logs = await flow.executions(job.hookLogId)
    expect(logs).toMatchObject([{ status: 'success', response_payload: { ok: true } }])
    expectDeclaredOutput('slack', 'post_message', logs[0]?.response_payload)
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
