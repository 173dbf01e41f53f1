import { createHash } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import { defineReaction } from '../../../engine/define.js'
import { PermanentError, RetryableError } from '../../../engine/errors.js'
import type { HostLookup } from '../../../net/address-guard.js'
import { resolveSmtpTarget } from '../../../net/smtp-target.js'
import { readSmtpCredentials } from '../smtp-credentials.js'

const TIMEOUT_MS = 30_000

const addresses = (description: string, examples: string[][]) =>
  Type.Array(Type.String({ minLength: 3, pattern: '@' }), {
    minItems: 1,
    maxItems: 50,
    description,
    examples,
  })

const params = Type.Object(
  {
    to: addresses('Recipients', [['ops@example.com']]),
    cc: Type.Optional(addresses('Copy recipients', [['lead@example.com']])),
    subject: Type.String({
      minLength: 1,
      maxLength: 998,
      description: 'Subject line',
      examples: ['New release {{ trigger.tag_name }}'],
    }),
    text: Type.String({ description: 'Plain-text body', examples: ['See {{ trigger.html_url }}'] }),
    html: Type.Optional(
      Type.String({
        description: 'HTML body, sent beside the text one',
        examples: ['<p>See <a href="{{ trigger.html_url }}">the release</a></p>'],
      }),
    ),
    from: Type.Optional(
      Type.String({
        minLength: 3,
        description: 'Sender; defaults to the connection’s from (or its user)',
        examples: ['area <area@example.com>'],
      }),
    ),
  },
  { additionalProperties: false },
)

/** The fields of nodemailer's errors that say what the server answered. */
interface SmtpFailure {
  code?: string
  responseCode?: number
  response?: string
  command?: string
}

export const send = defineReaction({
  id: 'send',
  name: 'Send an e-mail',
  description:
    'Sends an e-mail over SMTP with the connection’s server and login; 4xx replies and network errors are retried, 5xx fail',
  params,
  requiresConnection: true,
  output: Type.Object(
    {
      message_id: Type.String({ description: 'The Message-ID header of the mail' }),
      accepted: Type.Array(Type.String(), { description: 'Recipients the server accepted' }),
      rejected: Type.Array(Type.String(), { description: 'Recipients the server refused' }),
      response_code: Type.Union([Type.Integer(), Type.Null()], {
        description: 'The SMTP reply code to the message, e.g. 250',
      }),
    },
    { additionalProperties: false },
  ),
  exampleOutput: {
    message_id: '<3f2a9c0e@area>',
    accepted: ['team@example.com'],
    rejected: [],
    response_code: 250,
  },
  async run(ctx) {
    const smtp = readSmtpCredentials(ctx.auth)
    const from = ctx.params.from ?? smtp.from ?? smtp.user
    if (!from) throw new PermanentError('no sender: set the "from" param or the connection’s from')
    // The guard resolves and judges the host; nodemailer connects to that very address.
    const target = await resolveSmtpTarget(smtp.host, smtp.port, {
      allowPrivate: ctx.settings.allowPrivate,
      ports: ctx.settings.ports,
      lookup: smtpLookup,
    })
    // nodemailer is loaded when a mail is sent: `area validate` and the API never need it.
    const { createTransport } = await import('nodemailer')
    const transport = createTransport({
      host: target.address,
      ...(target.servername ? { servername: target.servername } : {}),
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    })
    const onAbort = () => transport.close()
    ctx.signal.addEventListener('abort', onAbort, { once: true })
    try {
      const info = await transport.sendMail({
        from,
        to: ctx.params.to,
        cc: ctx.params.cc,
        subject: ctx.params.subject,
        text: ctx.params.text,
        html: ctx.params.html,
        // Stable per event and reaction, so a resent copy can be recognised as the same message.
        messageId: `<${createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 32)}@area>`,
      })
      return {
        message_id: info.messageId,
        accepted: (info.accepted as unknown[]).map(String),
        rejected: (info.rejected as unknown[]).map(String),
        // The reply's code only: its text is the server's, and may be anything (see smtpError).
        response_code: replyCode(info.response),
      }
    } catch (error) {
      throw smtpError(`${smtp.host}:${smtp.port}`, error)
    } finally {
      ctx.signal.removeEventListener('abort', onAbort)
      transport.close()
    }
  },
})

/** Tests resolve names without DNS; unset, the system's resolver. */
let smtpLookup: HostLookup | undefined
export function setSmtpLookupForTests(lookup: HostLookup | undefined): void {
  smtpLookup = lookup
}

function replyCode(response: unknown): number | null {
  const code = Number(String(response ?? '').slice(0, 3))
  return Number.isInteger(code) && code >= 200 && code < 600 ? code : null
}

// What went wrong, in our words: nodemailer's messages quote the server's greeting and replies,
// which a hostile or unrelated server (another port's banner) controls, so none is repeated.
const FAILURES: Record<string, string> = {
  EAUTH: 'the login was refused',
  EENVELOPE: 'the sender or a recipient was refused',
  EMESSAGE: 'the message was refused',
  ETIMEDOUT: 'the server did not answer in time',
  ECONNECTION: 'the connection failed',
  ESOCKET: 'the connection failed',
  EDNS: 'the name could not be resolved',
  ETLS: 'the TLS handshake failed',
  EPROTOCOL: 'the server does not speak SMTP as expected',
  EENVELOPEFORMAT: 'an address is not valid',
}

/**
 * SMTP says it itself: 4xx replies are transient, 5xx permanent. No reply at all is transient.
 * The error names the reply code and the command, never the server's text.
 */
export function smtpError(server: string, error: unknown): Error {
  const failure = (error ?? {}) as SmtpFailure
  const reply = typeof failure.responseCode === 'number' ? failure.responseCode : undefined
  const what = (failure.code && FAILURES[failure.code]) || 'sending failed'
  const detail = `SMTP ${server}: ${what}${reply ? ` (reply ${reply}${failure.command ? ` to ${failure.command.split(' ')[0]}` : ''})` : failure.code ? ` (${failure.code})` : ''}`
  // The original error is not kept as the cause: its message holds the server's text.
  if (reply !== undefined && reply >= 500) return new PermanentError(detail, { code: 'smtp_refused' })
  if (reply !== undefined && reply >= 400) return new RetryableError(detail, { code: 'smtp_deferred' })
  // Bad addresses are found before any exchange.
  if (failure.code === 'EENVELOPE') return new PermanentError(detail, { code: 'smtp_refused' })
  return new RetryableError(detail, { code: 'smtp_failed' })
}
