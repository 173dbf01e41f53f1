/** How Slack's answers are classified for the worker's retry decision, and its webhook URL kept secret. */
import { describe, expect, it } from 'vitest'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import { postMessage, slackError } from '../../../src/services/slack/reactions/post-message.js'
import { reactionContext } from '../../support/services/handler-context.js'
import { answer } from '../../support/services/http-answer.js'

describe('slackError', () => {
  it('keeps Slack’s plain-text code; 4xx permanent, 429 retried after Retry-After', () => {
    const invalid = slackError('https://hooks.slack.com', answer(400, {}, 'invalid_payload'))
    expect(invalid).toBeInstanceOf(PermanentError)
    expect(invalid.message).toBe('Slack webhook at https://hooks.slack.com answered 400: invalid_payload')
    expect(slackError('https://hooks.slack.com', answer(410, {}, 'channel_is_archived'))).toBeInstanceOf(
      PermanentError,
    )
    const limited = slackError('https://hooks.slack.com', answer(429, { 'retry-after': '12' }, ''))
    expect(limited).toBeInstanceOf(RetryableError)
    expect((limited as RetryableError).retryAfterMs).toBe(12_000)
  })
})

describe('webhook URLs are secrets', () => {
  it('keeps the Slack webhook path out of transport errors', async () => {
    // Port 9 (discard) is closed here: the connection is refused before any answer.
    const slack = await postMessage
      .run(reactionContext({ webhook_url: 'http://127.0.0.1:9/services/T0/B0/SECRET-TOKEN', text: 'x' }))
      .catch((e: unknown) => e)
    expect(slack).toBeInstanceOf(RetryableError)
    expect((slack as Error).message).not.toContain('SECRET-TOKEN')
  })
})
