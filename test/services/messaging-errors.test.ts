/** How the Discord, Slack and SMTP answers are classified for the worker's retry decision. */
import { describe, expect, it } from 'vitest'
import { PermanentError, RetryableError } from '../../src/engine/errors.js'
import { discordError } from '../../src/services/discord/reactions/send-message.js'
import { smtpError } from '../../src/services/email/reactions/send.js'
import { readSmtpCredentials } from '../../src/services/email/smtp-credentials.js'
import { slackError } from '../../src/services/slack/reactions/post-message.js'

const answer = (status: number, headers: Record<string, string>, body: string) => ({
  status,
  headers: new Headers(headers),
  body: Buffer.from(body),
  truncated: false,
})

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

describe('smtpError', () => {
  const failure = (props: Record<string, unknown>) => Object.assign(new Error('Message failed'), props)
  it('retries 4xx replies and transport errors, fails 5xx replies and bad envelopes', () => {
    expect(smtpError('mx', failure({ responseCode: 421, code: 'EMESSAGE' }))).toBeInstanceOf(RetryableError)
    expect(smtpError('mx', failure({ responseCode: 554, code: 'EMESSAGE' }))).toBeInstanceOf(PermanentError)
    expect(smtpError('mx', failure({ responseCode: 535, code: 'EAUTH' }))).toBeInstanceOf(PermanentError)
    expect(smtpError('mx', failure({ code: 'ECONNECTION' }))).toBeInstanceOf(RetryableError)
    expect(smtpError('mx', failure({ code: 'EENVELOPE' }))).toBeInstanceOf(PermanentError)
  })
})

describe('readSmtpCredentials', () => {
  it('reads the smtp connection shape with defaults, and refuses a missing host or connection', () => {
    expect(readSmtpCredentials({ host: 'smtp.example.com', secure: true, user: 'u', password: 'p' })).toEqual(
      {
        host: 'smtp.example.com',
        port: 465,
        secure: true,
        user: 'u',
        password: 'p',
        from: undefined,
      },
    )
    expect(readSmtpCredentials({ host: 'smtp.example.com', port: '2525' })).toMatchObject({
      port: 2525,
      secure: false,
    })
    expect(() => readSmtpCredentials({ port: 25 })).toThrow('host is missing')
    expect(() => readSmtpCredentials(undefined)).toThrow('area connections add email')
  })
})

describe('webhook URLs are secrets', () => {
  it('keeps the Discord and Slack webhook path out of transport errors', async () => {
    const { sendMessage } = await import('../../src/services/discord/reactions/send-message.js')
    const { postMessage } = await import('../../src/services/slack/reactions/post-message.js')
    const { reactionContext } = await import('../support/services/handler-context.js')
    // Port 9 (discard) is closed here: the connection is refused before any answer.
    const discord = await sendMessage
      .run(reactionContext({ webhook_url: 'http://127.0.0.1:9/api/webhooks/1/SECRET-TOKEN', content: 'x' }))
      .catch((e: unknown) => e)
    expect(discord).toBeInstanceOf(RetryableError)
    expect((discord as Error).message).toContain('http://127.0.0.1:9/…')
    expect((discord as Error).message).not.toContain('SECRET-TOKEN')
    const slack = await postMessage
      .run(reactionContext({ webhook_url: 'http://127.0.0.1:9/services/T0/B0/SECRET-TOKEN', text: 'x' }))
      .catch((e: unknown) => e)
    expect(slack).toBeInstanceOf(RetryableError)
    expect((slack as Error).message).not.toContain('SECRET-TOKEN')
  })
})
