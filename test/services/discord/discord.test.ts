/** How Discord's answers are classified for the worker's retry decision, and its webhook URL kept secret. */
import { describe, expect, it } from 'vitest'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import { discordError, sendMessage } from '../../../src/services/discord/reactions/send-message.js'
import { reactionContext } from '../../support/services/handler-context.js'
import { answer } from '../../support/services/http-answer.js'

describe('discordError', () => {
  it('takes the wait from the JSON retry_after (float seconds), else X-RateLimit-Reset-After', () => {
    const body = JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.529, global: false })
    const fromBody = discordError('https://discord.com', answer(429, { 'retry-after': '1' }, body))
    expect(fromBody).toBeInstanceOf(RetryableError)
    expect((fromBody as RetryableError).retryAfterMs).toBe(529)
    const fromHeader = discordError(
      'https://discord.com',
      answer(429, { 'x-ratelimit-reset-after': '2.5' }, ''),
    )
    expect((fromHeader as RetryableError).retryAfterMs).toBe(2500)
  })

  it('fails 4xx with Discord’s message and code, retries 5xx', () => {
    const error = discordError(
      'https://discord.com',
      answer(400, {}, '{"message":"Cannot send an empty message","code":50006}'),
    )
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toBe(
      'Discord webhook at https://discord.com answered 400: Cannot send an empty message (code 50006)',
    )
    expect(discordError('https://discord.com', answer(503, {}, 'upstream'))).toBeInstanceOf(RetryableError)
  })
})

describe('webhook URLs are secrets', () => {
  it('keeps the Discord webhook path out of transport errors', async () => {
    // Port 9 (discard) is closed here: the connection is refused before any answer.
    const discord = await sendMessage
      .run(reactionContext({ webhook_url: 'http://127.0.0.1:9/api/webhooks/1/SECRET-TOKEN', content: 'x' }))
      .catch((e: unknown) => e)
    expect(discord).toBeInstanceOf(RetryableError)
    expect((discord as Error).message).toContain('http://127.0.0.1:9/…')
    expect((discord as Error).message).not.toContain('SECRET-TOKEN')
  })
})
