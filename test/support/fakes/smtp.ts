/**
 * A local SMTP server (smtp-server, the Nodemailer project's) that keeps each message's envelope
 * and raw MIME, checks a login, and answers with a chosen SMTP reply when told to.
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

export interface FakeSmtp {
  host: string
  port: number
  user: string
  password: string
  messages: ReceivedMail[]
  /** The next RCPT TO is answered with this reply (e.g. 451 or 550). */
  rejectNextRecipient(code: number, message: string): void
  close(): Promise<void>
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const messages: ReceivedMail[] = []
  const rejections: { code: number; message: string }[] = []
  const user = 'area'
  const password = 'smtp-secret'
  const server = new SMTPServer({
    // Plain TCP on loopback: the TLS handshake is Node's business, not this test's.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user })
      const error = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 })
      return callback(error)
    },
    onRcptTo(_address, _session, callback) {
      const rejection = rejections.shift()
      if (rejection)
        return callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }))
      return callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address()
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    messages,
    rejectNextRecipient(code, message) {
      rejections.push({ code, message })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
