/**
 * The address guard refuses before connecting: blocked cases use an injected lookup and a spy on
 * net.connect (which undici opens its sockets with), so no traffic ever leaves for 169.254.x or
 * any non-loopback address.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { PermanentError, RetryableError } from '../../src/engine/errors.js'
import {
  assertAddressAllowed,
  type HostLookup,
  parseAddressPolicy,
  refusalReason,
  STRICT_POLICY,
  setDefaultAddressPolicy,
} from '../../src/net/address-guard.js'
import { type HttpRequest, sendHttpRequest } from '../../src/net/client.js'
import { parseTarget } from '../../src/net/target.js'

let redirectTo = ''
/** Paths the local server was asked for: what actually reached a socket. */
const received: string[] = []
const server = createServer((req, res) => {
  received.push(req.url ?? '')
  if (req.url === '/redirect') {
    res.writeHead(302, { location: redirectTo })
    res.end()
    return
  }
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.end('ok')
})
let base = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
afterEach(() => {
  vi.restoreAllMocks()
  received.length = 0
})

/** A resolver that never touches DNS: every name resolves to `addresses`. */
function resolvingTo(...addresses: string[]): HostLookup & { calls: string[] } {
  const calls: string[] = []
  const lookup = async (hostname: string) => {
    calls.push(hostname)
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return Object.assign(lookup, { calls })
}

function send(url: string, overrides: Partial<HttpRequest> = {}) {
  return sendHttpRequest({
    method: 'GET',
    target: parseTarget(url),
    headers: new Headers(),
    timeoutMs: 5000,
    signal: new AbortController().signal,
    maxBodyBytes: 1024,
    // The explicit opt-in the local test server needs; the default refuses loopback.
    allowPrivate: 'loopback',
    ...overrides,
  })
}

async function refusal(promise: Promise<unknown>): Promise<PermanentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PermanentError)
  return error as PermanentError
}

const loopbackOnly = parseAddressPolicy('loopback')
const strict = parseAddressPolicy('none')
const all = parseAddressPolicy('all')

describe('parseAddressPolicy', () => {
  afterEach(() => setDefaultAddressPolicy(undefined))

  it('reads all/true as all, none/strict as none, lists of loopback, private and ranges, and refuses the rest', () => {
    expect(parseAddressPolicy('ALL').all).toBe(true)
    expect(parseAddressPolicy('true').all).toBe(true)
    expect(parseAddressPolicy(' none ')).toBe(STRICT_POLICY)
    expect(parseAddressPolicy('strict')).toBe(STRICT_POLICY)
    expect(parseAddressPolicy('loopback, private')).toMatchObject({
      loopback: true,
      private: true,
      all: false,
    })
    expect(parseAddressPolicy('10.1.0.0/16,fd12::/48,192.0.2.7').ranges).toHaveLength(3)
    expect(() => parseAddressPolicy('sometimes')).toThrow(/AREA_HTTP_ALLOW_PRIVATE="sometimes".*"sometimes"/)
    expect(() => parseAddressPolicy('loopback,10.0.0.0/99')).toThrow(/at "10\.0\.0\.0\/99"/)
  })

  it('reads unset as the installed default, else the process environment, else strict', () => {
    vi.stubEnv('AREA_HTTP_ALLOW_PRIVATE', '')
    expect(parseAddressPolicy(undefined)).toBe(STRICT_POLICY)
    expect(parseAddressPolicy('')).toBe(STRICT_POLICY)
    vi.stubEnv('AREA_HTTP_ALLOW_PRIVATE', 'private')
    expect(parseAddressPolicy('')).toMatchObject({ private: true, loopback: false })
    vi.unstubAllEnvs()
    setDefaultAddressPolicy(loopbackOnly)
    expect(parseAddressPolicy('')).toBe(loopbackOnly)
    expect(parseAddressPolicy('default')).toBe(loopbackOnly)
    expect(parseAddressPolicy('none')).toBe(STRICT_POLICY)
  })
})

describe('refusalReason', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    'fe80::1',
    'febf::1',
    'fd00:ec2::254',
    '100.100.100.200',
    '0.0.0.0',
    '::',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
  ])('refuses %s even when loopback, private and CGNAT ranges are allowed', (address) => {
    const wide = parseAddressPolicy('loopback,private,100.64.0.0/10,fd00::/8,169.254.0.0/16')
    expect(refusalReason(address, wide)).toMatch(/link-local, metadata or unspecified/)
    expect(refusalReason(address, all)).toBeUndefined()
  })

  // Every way of writing an IPv4 address inside IPv6 is judged as that IPv4 address.
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:0:127.0.0.1', 'loopback'], // IPv4-translated (RFC 6145)
    ['64:ff9b::127.0.0.1', 'loopback'], // NAT64 (RFC 6052)
    ['64:ff9b:1::7f00:1', 'loopback'], // local-use NAT64 (RFC 8215)
    ['2002:7f00:1::', 'loopback'], // 6to4
    ['::127.0.0.1', 'loopback'], // IPv4-compatible
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['::ffff:10.1.2.3', 'private'],
    ['64:ff9b::c0a8:10a', 'private'],
    ['2002:ac10:1::', 'private'],
    ['::192.168.1.10', 'private'],
    ['fd12::1', 'private'],
  ])('refuses %s by default, allows it when %s is allowed', (address, kind) => {
    expect(refusalReason(address, strict)).toMatch(kind === 'loopback' ? /loopback/ : /private/)
    expect(refusalReason(address, parseAddressPolicy(kind))).toBeUndefined()
    expect(
      refusalReason(address, parseAddressPolicy(kind === 'loopback' ? 'private' : 'loopback')),
    ).toBeDefined()
  })

  it.each([
    ['192.0.2.1', /reserved|documentation/], // TEST-NET-1
    ['198.51.100.7', /reserved|documentation/],
    ['203.0.113.9', /reserved|documentation/],
    ['198.18.0.1', /reserved|benchmark/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /reserved|documentation/],
    ['2001:2::1', /benchmark|reserved/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['64:ff9b::203.0.113.9', /reserved.*it reaches 203\.0\.113\.9/],
  ])('treats %s as non-public', (address, reason) => {
    expect(refusalReason(address, strict)).toMatch(reason)
    expect(refusalReason(address, parseAddressPolicy('loopback,private'))).toBeDefined()
  })

  it('allows an operator-listed CIDR range and nothing next to it', () => {
    const policy = parseAddressPolicy('10.20.0.0/16,fd12:3456::/32')
    expect(refusalReason('10.20.3.4', policy)).toBeUndefined()
    expect(refusalReason('::ffff:10.20.3.4', policy)).toBeUndefined()
    expect(refusalReason('10.21.0.1', policy)).toBeDefined()
    expect(refusalReason('fd12:3456::9', policy)).toBeUndefined()
    expect(refusalReason('fd12:3457::9', policy)).toBeDefined()
    expect(refusalReason('127.0.0.1', policy)).toBeDefined()
  })

  it.each([
    '93.184.216.34',
    '2606:2800:220:1::1',
    '172.32.0.1',
    '::ffff:93.184.216.34',
    '64:ff9b::5db8:d822',
  ])('allows public %s in every mode', (address) => {
    expect(refusalReason(address, strict)).toBeUndefined()
  })
})

describe('assertAddressAllowed', () => {
  it('refuses a name when any of its addresses is link-local', async () => {
    const lookup = resolvingTo('93.184.216.34', '169.254.10.10')
    const error = await refusal(assertAddressAllowed(new URL('http://rebind.test/'), loopbackOnly, lookup))
    expect(error.message).toContain('rebind.test')
    expect(error.message).toContain('169.254.10.10')
  })

  it('refuses metadata host names without resolving them', async () => {
    const lookup = resolvingTo('93.184.216.34')
    await refusal(assertAddressAllowed(new URL('http://metadata.google.internal./x'), loopbackOnly, lookup))
    expect(lookup.calls).toEqual([])
  })

  it('does not resolve IP literals', async () => {
    const lookup = resolvingTo('93.184.216.34')
    await refusal(assertAddressAllowed(new URL('http://[fe80::1]/'), loopbackOnly, lookup))
    expect(lookup.calls).toEqual([])
  })

  it('makes a resolution failure retryable instead of letting fetch resolve again', async () => {
    const lookup: HostLookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' })
    }
    const error = await assertAddressAllowed(new URL('http://nowhere.test/'), loopbackOnly, lookup).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(RetryableError)
    expect((error as Error).message).toContain('ENOTFOUND')
  })
})

describe('sendHttpRequest address guard', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[fe80::1]/', 'fe80::1'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
    ['http://100.100.100.200/latest/meta-data/', '100.100.100.200'],
  ])('refuses %s before connecting, naming the variable', async (url, address) => {
    const connectSpy = vi.spyOn(net, 'connect')
    const error = await refusal(send(url))
    expect(error.retryable).toBe(false)
    expect(error.message).toContain(address)
    expect(error.message).toContain('AREA_HTTP_ALLOW_PRIVATE')
    expect(connectSpy).not.toHaveBeenCalled()
  })

  it('refuses a host name that resolves to a link-local address, without connecting', async () => {
    const connectSpy = vi.spyOn(net, 'connect')
    const lookup = resolvingTo('169.254.169.254')
    const error = await refusal(send('http://innocent.example/api', { lookup }))
    expect(error.message).toMatch(/innocent\.example.*169\.254\.169\.254.*AREA_HTTP_ALLOW_PRIVATE=all/)
    expect(lookup.calls).toEqual(['innocent.example'])
    expect(connectSpy).not.toHaveBeenCalled()
  })

  it('allows 127.0.0.1 when loopback is allowed', async () => {
    const response = await send(`${base}/hello`)
    expect(response.status).toBe(200)
  })

  it('refuses 127.0.0.1 with AREA_HTTP_ALLOW_PRIVATE=none and with the strict default', async () => {
    const connectSpy = vi.spyOn(net, 'connect')
    const error = await refusal(send(`${base}/hello`, { allowPrivate: 'none' }))
    expect(error.message).toContain('127.0.0.1')
    vi.stubEnv('AREA_HTTP_ALLOW_PRIVATE', '')
    try {
      const byDefault = await refusal(send(`${base}/hello`, { allowPrivate: undefined }))
      expect(byDefault.message).toMatch(/127\.0\.0\.1 is a loopback address.*AREA_HTTP_ALLOW_PRIVATE/)
    } finally {
      vi.unstubAllEnvs()
    }
    expect(connectSpy).not.toHaveBeenCalled()
  })

  it.each([
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    '::10.0.0.1',
    '::ffff:0:10.0.0.1',
    '192.0.2.10',
    '100.64.1.1',
  ])('refuses a name resolving to %s before any socket opens', async (address) => {
    const connectSpy = vi.spyOn(net, 'connect')
    const lookup = resolvingTo(address)
    const error = await refusal(send('http://inside.example/x', { lookup, allowPrivate: 'loopback' }))
    expect(error.message).toContain(address)
    expect(connectSpy).not.toHaveBeenCalled()
  })

  it('connects to a name resolving to an embedded loopback address only when loopback is allowed', async () => {
    const port = new URL(base).port
    const lookup = resolvingTo('::ffff:127.0.0.1')
    const connectSpy = vi.spyOn(net, 'connect')
    await refusal(send(`http://mapped.example:${port}/hello`, { lookup, allowPrivate: 'none' }))
    expect(connectSpy).not.toHaveBeenCalled()
    const response = await send(`http://mapped.example:${port}/hello`, { lookup })
    expect(response.status).toBe(200)
  })

  it('lets everything through with AREA_HTTP_ALLOW_PRIVATE=all, without resolving', async () => {
    const lookup = resolvingTo('169.254.169.254')
    const response = await send(`${base}/hello`, { allowPrivate: 'all', lookup })
    expect(response.status).toBe(200)
    expect(lookup.calls).toEqual([])
  })

  it('reads the environment when the caller passes no setting', async () => {
    vi.stubEnv('AREA_HTTP_ALLOW_PRIVATE', 'none')
    try {
      await refusal(send(`${base}/hello`, { allowPrivate: undefined }))
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('refuses a redirect from an allowed local server to 169.254.169.254', async () => {
    redirectTo = 'http://169.254.169.254/latest/meta-data/iam/'
    const connectSpy = vi.spyOn(net, 'connect')
    const error = await refusal(send(`${base}/redirect`))
    expect(error.message).toContain('169.254.169.254')
    expect(received).toEqual(['/redirect'])
    expect(connectSpy.mock.calls.map((call) => (call[0] as unknown as { host?: string }).host)).not.toContain(
      '169.254.169.254',
    )
  })

  it('refuses a redirect to a name resolving to link-local', async () => {
    redirectTo = 'http://sneaky.example/'
    const lookup = resolvingTo('fe80::2')
    const error = await refusal(send(`${base}/redirect`, { lookup }))
    expect(error.message).toContain('sneaky.example')
    expect(error.message).toContain('fe80::2')
  })

  it('connects only to the address it checked, even when the name resolves differently later', async () => {
    // DNS rebinding: a first answer that passes the check, then the metadata address.
    const answers = ['127.0.0.1', '169.254.169.254']
    const calls: string[] = []
    const lookup: HostLookup = async (hostname) => {
      calls.push(hostname)
      const address = answers[Math.min(calls.length - 1, answers.length - 1)] as string
      return [{ address, family: 4 }]
    }
    const port = new URL(base).port
    const error = await refusal(send(`http://rebind.example:${port}/hello`, { lookup }))
    expect(error.message).toContain('169.254.169.254')
    expect(calls).toEqual(['rebind.example', 'rebind.example'])
    expect(received).toEqual([])
  })

  it('connects to a checked name on the address the check saw', async () => {
    const lookup = resolvingTo('127.0.0.1')
    const port = new URL(base).port
    const response = await send(`http://served.example:${port}/hello`, { lookup })
    expect(response.status).toBe(200)
    expect(received).toEqual(['/hello'])
  })

  it('still follows redirects to allowed addresses', async () => {
    redirectTo = `${base}/hello`
    const response = await send(`${base}/redirect`)
    expect(response.status).toBe(200)
  })
})
