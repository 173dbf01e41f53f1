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
    allowPrivate: '',
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

describe('parseAddressPolicy', () => {
  it('reads unset as default, all/true as all, none/strict as none, and refuses the rest', () => {
    expect(parseAddressPolicy(undefined)).toBe('default')
    expect(parseAddressPolicy('')).toBe('default')
    expect(parseAddressPolicy('ALL')).toBe('all')
    expect(parseAddressPolicy('true')).toBe('all')
    expect(parseAddressPolicy(' none ')).toBe('none')
    expect(parseAddressPolicy('strict')).toBe('none')
    expect(() => parseAddressPolicy('sometimes')).toThrow(/AREA_HTTP_ALLOW_PRIVATE="sometimes"/)
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
  ])('refuses %s by default', (address) => {
    expect(refusalReason(address, 'default')).toBeDefined()
    expect(refusalReason(address, 'all')).toBeUndefined()
  })

  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.10', '::1', 'fd12::1', '100.64.0.1'])(
    'allows %s by default, refuses it with none',
    (address) => {
      expect(refusalReason(address, 'default')).toBeUndefined()
      expect(refusalReason(address, 'none')).toMatch(/loopback or private/)
    },
  )

  it.each(['93.184.216.34', '2606:2800:220:1::1', '172.32.0.1'])(
    'allows public %s in every mode',
    (address) => {
      expect(refusalReason(address, 'none')).toBeUndefined()
    },
  )
})

describe('assertAddressAllowed', () => {
  it('refuses a name when any of its addresses is link-local', async () => {
    const lookup = resolvingTo('93.184.216.34', '169.254.10.10')
    const error = await refusal(assertAddressAllowed(new URL('http://rebind.test/'), 'default', lookup))
    expect(error.message).toContain('rebind.test')
    expect(error.message).toContain('169.254.10.10')
  })

  it('refuses metadata host names without resolving them', async () => {
    const lookup = resolvingTo('93.184.216.34')
    await refusal(assertAddressAllowed(new URL('http://metadata.google.internal./x'), 'default', lookup))
    expect(lookup.calls).toEqual([])
  })

  it('does not resolve IP literals', async () => {
    const lookup = resolvingTo('93.184.216.34')
    await refusal(assertAddressAllowed(new URL('http://[fe80::1]/'), 'default', lookup))
    expect(lookup.calls).toEqual([])
  })

  it('makes a resolution failure retryable instead of letting fetch resolve again', async () => {
    const lookup: HostLookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' })
    }
    const error = await assertAddressAllowed(new URL('http://nowhere.test/'), 'default', lookup).catch(
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

  it('allows 127.0.0.1 by default', async () => {
    const response = await send(`${base}/hello`)
    expect(response.status).toBe(200)
  })

  it('refuses 127.0.0.1 with AREA_HTTP_ALLOW_PRIVATE=none', async () => {
    const connectSpy = vi.spyOn(net, 'connect')
    const error = await refusal(send(`${base}/hello`, { allowPrivate: 'none' }))
    expect(error.message).toContain('127.0.0.1')
    expect(connectSpy).not.toHaveBeenCalled()
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
