/**
 * Refuses requests whose host resolves to an address a user-given URL must not reach (SSRF):
 * link-local and cloud-metadata addresses always, private networks too in strict mode.
 *
 * `AREA_HTTP_ALLOW_PRIVATE`:
 * - unset, empty or `default`: refuse link-local (169.254.0.0/16, fe80::/10), cloud metadata
 *   (169.254.169.254, fd00:ec2::254, 100.100.100.200, metadata.google.internal…) and the
 *   unspecified addresses (0.0.0.0/8, ::). Loopback and RFC 1918/ULA stay allowed: self-hosters
 *   call their own LAN services, and the tests use 127.0.0.1.
 * - `all` (or `true`, `1`, `yes`): allow every address; for a trusted single-user install.
 * - `none` (or `strict`): also refuse loopback, RFC 1918, CGNAT, ULA and other non-public ranges;
 *   for servers where AREA authors must not reach the host's network.
 * Any other value is a configuration mistake and fails the request rather than guessing.
 *
 * The check runs before connecting, on every redirect hop, and again inside the connection's own
 * name resolution (see dispatcher.ts): the address connected to is always one that was checked,
 * so a DNS-rebinding server answering differently the second time gains nothing.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { PermanentError, RetryableError } from '../engine/errors.js'

export const ALLOW_PRIVATE_ENV = 'AREA_HTTP_ALLOW_PRIVATE'

export type AddressPolicy = 'default' | 'all' | 'none'

export interface ResolvedAddress {
  address: string
  family: number
}

/** Resolves a host name to all its addresses; injectable so tests need no DNS. */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>

export const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

export function parseAddressPolicy(value: string | undefined): AddressPolicy {
  const text = (value ?? '').trim().toLowerCase()
  if (text === '' || text === 'default') return 'default'
  if (['all', 'true', '1', 'yes'].includes(text)) return 'all'
  if (text === 'none' || text === 'strict') return 'none'
  throw new PermanentError(
    `${ALLOW_PRIVATE_ENV}="${value}" is not understood: use "all", "none", or leave it unset`,
    { code: 'invalid_setting' },
  )
}

// Names some clouds answer for their metadata service without any DNS record we could check.
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata'])

const always = new BlockList()
always.addSubnet('169.254.0.0', 16, 'ipv4') // link-local, includes 169.254.169.254 (AWS, GCP, Azure)
always.addSubnet('0.0.0.0', 8, 'ipv4') // "this network": 0.0.0.0 reaches the local host
always.addAddress('100.100.100.200', 'ipv4') // Alibaba Cloud metadata
always.addSubnet('fe80::', 10, 'ipv6') // link-local
always.addAddress('fd00:ec2::254', 'ipv6') // AWS metadata over IPv6
always.addAddress('::', 'ipv6') // unspecified

const nonPublic = new BlockList()
nonPublic.addSubnet('127.0.0.0', 8, 'ipv4')
nonPublic.addSubnet('10.0.0.0', 8, 'ipv4')
nonPublic.addSubnet('172.16.0.0', 12, 'ipv4')
nonPublic.addSubnet('192.168.0.0', 16, 'ipv4')
nonPublic.addSubnet('100.64.0.0', 10, 'ipv4') // CGNAT, also used by some cloud internals
nonPublic.addSubnet('198.18.0.0', 15, 'ipv4') // benchmarking
nonPublic.addSubnet('224.0.0.0', 3, 'ipv4') // multicast and reserved
nonPublic.addAddress('::1', 'ipv6')
nonPublic.addSubnet('fc00::', 7, 'ipv6') // unique local
nonPublic.addSubnet('ff00::', 8, 'ipv6') // multicast

/** Why `address` is refused under `policy`, or undefined when it may be reached. */
export function refusalReason(address: string, policy: AddressPolicy): string | undefined {
  if (policy === 'all') return undefined
  const ip = unmapped(address)
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4'
  if (always.check(ip, family)) return 'a link-local, metadata or unspecified address'
  if (policy === 'none' && nonPublic.check(ip, family)) return 'a loopback or private-network address'
  return undefined
}

/**
 * Resolves the URL's host and throws a PermanentError when any of its addresses is refused:
 * a name with one bad address among good ones is refused too, since the connection may pick it.
 */
export async function assertAddressAllowed(
  url: URL,
  policy: AddressPolicy,
  lookup: HostLookup = systemLookup,
): Promise<void> {
  if (policy === 'all') return
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const name = host.replace(/\.$/, '')
  if (METADATA_NAMES.has(name)) throw refused(url.host, host, 'a cloud metadata host name')
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(url, host, lookup)
  assertResolvedAllowed(url.host, addresses, policy)
}

/** Throws a PermanentError when any of `host`'s resolved addresses is refused under `policy`. */
export function assertResolvedAllowed(
  host: string,
  addresses: readonly ResolvedAddress[],
  policy: AddressPolicy,
): void {
  for (const { address } of addresses) {
    const reason = refusalReason(address, policy)
    if (reason) throw refused(host, address, reason)
  }
}

async function resolve(url: URL, host: string, lookup: HostLookup): Promise<readonly ResolvedAddress[]> {
  try {
    return await lookup(host)
  } catch (error) {
    // Not left to fetch: a name that fails here and resolves there would skip the check.
    const code = (error as { code?: unknown }).code
    throw new RetryableError(
      `could not resolve ${url.host}: ${typeof code === 'string' ? code : String(error)}`,
      {
        cause: error,
      },
    )
  }
}

function refused(host: string, address: string, reason: string): PermanentError {
  return new PermanentError(
    `refused to request ${host}: ${address} is ${reason}; set ${ALLOW_PRIVATE_ENV}=all to allow it`,
    { code: 'address_refused' },
  )
}

/** `::ffff:169.254.169.254` reaches the IPv4 address, so it is judged as that address. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  return match?.[1] ?? address
}
