/**
 * The email service's credentials, a connection of kind `smtp`:
 * `{ host, port, secure, user?, password?, from? }`. `secure: true` is implicit TLS (port 465);
 * otherwise STARTTLS is used when the server offers it. `user`/`password` may be absent for a
 * relay that needs no login; `from` is the default sender. What a person types is lenient (a
 * port or `secure` as text, no port at all); what is stored is normalized.
 */
import { type Static, Type } from '@sinclair/typebox'
import { accept, defineCredentials, parseAuth, refuse } from '../../engine/credentials.js'
import type { Credentials, JsonValue } from '../../engine/types.js'

const fields = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'The SMTP server, e.g. smtp.example.com' }),
    port: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description: 'The TCP port (default: 465 with secure, else 587)',
      }),
    ),
    secure: Type.Boolean({
      default: false,
      description: 'Implicit TLS (port 465); otherwise STARTTLS when the server offers it',
    }),
    user: Type.Optional(Type.String({ description: 'The login, when the server needs one' })),
    password: Type.Optional(Type.String({ writeOnly: true, description: 'The password of that login' })),
    from: Type.Optional(Type.String({ description: 'The default sender, e.g. area@example.com' })),
  },
  { additionalProperties: false },
)

export type SmtpCredentials = Static<typeof fields> & { port: number }

export const smtpCredentials = defineCredentials({
  kind: 'smtp',
  fields,
  validate(input) {
    const host = input.host
    if (typeof host !== 'string' || host === '') return refuse('', 'host is missing')
    const secure = input.secure === true || input.secure === 'true'
    const port = input.port === undefined || input.port === null ? (secure ? 465 : 587) : Number(input.port)
    if (!Number.isInteger(port) || port < 1 || port > 65535) return refuse('', 'port is not a TCP port')
    const user = optionalString(input.user)
    const password = optionalString(input.password)
    const from = optionalString(input.from)
    return accept({
      host,
      port,
      secure,
      ...(user ? { user } : {}),
      ...(password ? { password } : {}),
      ...(from ? { from } : {}),
    })
  },
})

export function readSmtpCredentials(auth: Credentials | undefined): SmtpCredentials {
  return parseAuth(
    smtpCredentials,
    auth,
    'sending e-mail needs an smtp connection: `area connections add email`',
  ) as SmtpCredentials
}

function optionalString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}
