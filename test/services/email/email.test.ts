/** How SMTP failures are classified for the worker's retry decision, and how the smtp connection is read. */
import { describe, expect, it } from 'vitest'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import { smtpError } from '../../../src/services/email/reactions/send.js'
import { readSmtpCredentials } from '../../../src/services/email/smtp-credentials.js'

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
