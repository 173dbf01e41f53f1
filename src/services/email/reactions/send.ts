import { createHash } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import { createTransport } from 'nodemailer'
import { defineReaction } from '../../../engine/define.js'
import { PermanentError, RetryableError } from '../../../engine/errors.js'
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
  async run(ctx) {
    const smtp = readSmtpCredentials(ctx.auth)
    const from = ctx.params.from ?? smtp.from ?? smtp.user
    if (!from) throw new PermanentError('no sender: set the "from" param or the connection’s from')
    const transport = createTransport({
      host: smtp.host,
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
        response: info.response,
      }
    } catch (error) {
      throw smtpError(smtp.host, error)
    } finally {
      ctx.signal.removeEventListener('abort', onAbort)
      transport.close()
    }
  },
})

/** SMTP says it itself: 4xx replies are transient, 5xx permanent. No reply at all is transient. */
export function smtpError(host: string, error: unknown): Error {
  const failure = (error ?? {}) as SmtpFailure
  const message = error instanceof Error ? error.message : String(error)
  const detail = `SMTP ${host}: ${message}`
  const reply = failure.responseCode
  if (typeof reply === 'number' && reply >= 500) return new PermanentError(detail, { cause: error })
  if (typeof reply === 'number' && reply >= 400) return new RetryableError(detail, { cause: error })
  // Bad addresses are found before any exchange.
  if (failure.code === 'EENVELOPE') return new PermanentError(detail, { cause: error })
  return new RetryableError(detail, { cause: error })
}
