/**
 * The credentials of an `smtp` connection, as stored (encrypted) by `area connections add email`:
 * `{ host, port, secure, user, password, from }`. `secure: true` is implicit TLS (port 465);
 * otherwise STARTTLS is used when the server offers it. `user`/`password` may be absent for a
 * relay that needs no login; `from` is the default sender.
 */
import { PermanentError } from '../../engine/errors.js'
import type { Credentials } from '../../engine/types.js'

export interface SmtpCredentials {
  host: string
  port: number
  secure: boolean
  user?: string
  password?: string
  from?: string
}

export function readSmtpCredentials(auth: Credentials | undefined): SmtpCredentials {
  if (!auth) {
    throw new PermanentError('sending e-mail needs an smtp connection: `area connections add email`', {
      code: 'connection_missing',
    })
  }
  const host = auth.host
  if (typeof host !== 'string' || host === '') throw invalid('host is missing')
  const secure = auth.secure === true || auth.secure === 'true'
  const port = auth.port === undefined || auth.port === null ? (secure ? 465 : 587) : Number(auth.port)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('port is not a TCP port')
  return {
    host,
    port,
    secure,
    user: optionalString(auth.user),
    password: optionalString(auth.password),
    from: optionalString(auth.from),
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function invalid(what: string): PermanentError {
  return new PermanentError(`the smtp connection is invalid: ${what}; add it again`, {
    code: 'connection_invalid',
  })
}
