/**
 * SMTP goes through the same address guard as HTTP, to an allowed port only, and never repeats
 * what the server said (issue 11, point 11). Refusals of non-loopback addresses use a stubbed
 * resolver or IP literals and a spy on net.connect: no socket opens.
 */

/**
 * SMTP goes through the same address guard as HTTP, to an allowed port only, and never repeats
 * what the server said (issue 11, point 11). Refusals of non-loopback addresses use a stubbed
 * resolver or IP literals and a spy on net.connect: no socket opens.
 */
import net, { createServer, type Server } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import type { HostLookup } from '../../../src/net/address-guard.js'
import { send, setSmtpLookupForTests } from '../../../src/services/email/reactions/send.js'
import { type FakeSmtp, startFakeSmtp } from '../../support/fakes/smtp.js'
import { reactionContext } from '../../support/services/handler-context.js'

let smtp: FakeSmtp
let banner: Server
let bannerPort = 0

beforeAll(async () => {
  smtp = await startFakeSmtp()
  // Another service's port: it greets with something that is not SMTP, holding a "secret".
  banner = createServer((socket) => socket.end('-ERR SECRET-BANNER-7f3a redis says hello\r\n'))
  await new Promise<void>((resolve) => banner.listen(0, '127.0.0.1', resolve))
  bannerPort = (banner.address() as net.AddressInfo).port
})
afterAll(async () => {
  await smtp?.close()
  await new Promise<void>((resolve) => banner.close(() => resolve()))
})
afterEach(() => {
  vi.restoreAllMocks()
  setSmtpLookupForTests(undefined)
})

const resolvingTo =
  (address: string): HostLookup =>
  async () => [{ address, family: address.includes(':') ? 6 : 4 }]

function sendMail(
  connection: { host: string; port: number; user?: string; password?: string },
  settings: Record<string, string>,
) {
  return send.run(
    reactionContext(
      { to: ['ops@example.test'], subject: 's', text: 't' },
      {
        auth: { secure: false, from: 'area@example.test', ...connection },
        settings,
      },
    ),
  )
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Error)
  return error as Error
}

const login = () => ({ user: smtp.user, password: smtp.password })

describe('email.send and the address guard', () => {
  it('refuses a port outside AREA_SMTP_PORTS before connecting', async () => {
    const connectSpy = vi.spyOn(net, 'connect')
    const error = await failure(
      sendMail({ host: '127.0.0.1', port: smtp.port, ...login() }, { allowPrivate: 'loopback' }),
    )
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toContain(`port ${smtp.port} is not an SMTP port this server allows`)
    expect(error.message).toContain('AREA_SMTP_PORTS=25,465,587,2525')
    expect(connectSpy).not.toHaveBeenCalled()
    expect(smtp.messages).toHaveLength(0)
  })

  it('refuses loopback under the strict setting, even to an allowed port', async () => {
    const connectSpy = vi.spyOn(net, 'connect')
    const ports = String(smtp.port)
    const error = await failure(
      sendMail({ host: '127.0.0.1', port: smtp.port, ...login() }, { allowPrivate: 'none', ports }),
    )
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toMatch(/127\.0\.0\.1 is a loopback address/)
    expect(connectSpy).not.toHaveBeenCalled()
    expect(smtp.messages).toHaveLength(0)
  })

  it.each([
    '10.0.0.5',
    '::ffff:127.0.0.1',
    '64:ff9b::a00:5',
    '2002:a00:5::',
    '169.254.169.254',
    '192.0.2.25',
  ])('refuses a host name resolving to %s before any socket opens', async (address) => {
    setSmtpLookupForTests(resolvingTo(address))
    const connectSpy = vi.spyOn(net, 'connect')
    const error = await failure(sendMail({ host: 'mail.example', port: 587 }, { allowPrivate: 'none' }))
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toContain(address)
    expect(connectSpy).not.toHaveBeenCalled()
  })

  it('connects to the address it judged, on an allowed port, when loopback is allowed', async () => {
    setSmtpLookupForTests(resolvingTo('127.0.0.1'))
    const before = smtp.messages.length
    const output = await send.run(
      reactionContext(
        { to: ['ops@example.test'], subject: 'guarded', text: 't' },
        {
          auth: {
            host: 'mail.example',
            port: smtp.port,
            secure: false,
            from: 'area@example.test',
            ...login(),
          },
          settings: { allowPrivate: 'loopback', ports: `25,${smtp.port}` },
        },
      ),
    )
    expect(smtp.messages).toHaveLength(before + 1)
    expect(output).toMatchObject({ accepted: ['ops@example.test'], response_code: 250 })
    expect(JSON.stringify(output)).not.toMatch(/queued|OK/i)
  })

  it('never repeats a server’s greeting or reply text in its errors', async () => {
    const settings = { allowPrivate: 'loopback', ports: `${smtp.port},${bannerPort}` }
    const greeting = await failure(sendMail({ host: '127.0.0.1', port: bannerPort }, settings))
    expect(greeting).toBeInstanceOf(RetryableError)
    expect(greeting.message).toMatch(new RegExp(`^SMTP 127\\.0\\.0\\.1:${bannerPort}: `))
    expect(greeting.message).not.toContain('SECRET-BANNER')
    expect(greeting.message).not.toContain('redis')
    expect(JSON.stringify(greeting, Object.getOwnPropertyNames(greeting))).not.toContain('SECRET-BANNER')
    expect(greeting.cause).toBeUndefined()

    smtp.rejectNextRecipient(550, '5.1.1 SECRET-REPLY-91c2 no such user')
    const reply = await failure(sendMail({ host: '127.0.0.1', port: smtp.port, ...login() }, settings))
    expect(reply).toBeInstanceOf(PermanentError)
    expect(reply.message).toMatch(/reply 550 to RCPT/)
    expect(reply.message).not.toContain('SECRET-REPLY')
  })
})
