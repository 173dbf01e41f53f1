/**
 * Refuses requests whose host resolves to an address a user-given URL must not reach (SSRF).
 * The judgement is ipaddr.js's `range()`: only `unicast` (public) addresses pass by default, and
 * an IPv6 address carrying an IPv4 one (IPv4-mapped ::ffff:a.b.c.d, IPv4-translated
 * ::ffff:0:a.b.c.d, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, IPv4-compatible
 * ::a.b.c.d) is judged as that IPv4 address, since that is what the packets reach.
 *
 * `AREA_HTTP_ALLOW_PRIVATE` (docs/architecture.md, "Outgoing requests"; README, "Network and
 * credentials"):
 * - unset, empty or `default`: the mode's default, installed by the daemon at start
 *   (`setDefaultAddressPolicy`): `none` in server mode, `loopback` for the embedded `area dev`.
 *   Without a daemon (a CLI command, a test), the process's own AREA_HTTP_ALLOW_PRIVATE, else `none`.
 * - `none` (or `strict`): public unicast addresses only.
 * - a comma list of `loopback`, `private` (RFC 1918 and IPv6 unique-local) and CIDR ranges or
 *   single addresses (`10.1.0.0/16`, `fd12::/48`, `192.168.1.10`): those too.
 * - `all` (or `true`, `1`, `yes`): every address; for a trusted single-user install.
 * Link-local (169.254.0.0/16, fe80::/10, cloud metadata), cloud-metadata names and addresses,
 * and the unspecified addresses are refused unless `all`, whatever the list says.
 * Any other value is a configuration mistake and fails rather than guessing.
 *
 * The check runs before connecting, on every redirect hop, and again inside the connection's own
 * name resolution (see dispatcher.ts and smtp-socket.ts): the address connected to is always one
 * that was checked, so a DNS-rebinding server answering differently the second time gains nothing.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'
import { PermanentError, RetryableError } from '../engine/errors.js'

export const ALLOW_PRIVATE_ENV = 'AREA_HTTP_ALLOW_PRIVATE'

type Address = ipaddr.IPv4 | ipaddr.IPv6

export interface AddressPolicy {
  /** The canonical text, e.g. `none`, `loopback,private,10.0.0.0/8`, `all`: also a cache key. */
  readonly text: string
  readonly all: boolean
  readonly loopback: boolean
  readonly private: boolean
  readonly ranges: readonly [Address, number][]
}

export interface ResolvedAddress {
  address: string
  family: number
}

/** Resolves a host name to all its addresses; injectable so tests need no DNS. */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>

export const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

const policy = (text: string, fields: Partial<Omit<AddressPolicy, 'text'>> = {}): AddressPolicy => ({
  text,
  all: false,
  loopback: false,
  private: false,
  ranges: [],
  ...fields,
})

export const STRICT_POLICY = policy('none')
export const ALLOW_ALL_POLICY = policy('all', { all: true })

let installedDefault: AddressPolicy | undefined

/** The daemon installs its mode's policy at start; it applies where the setting is left empty. */
export function setDefaultAddressPolicy(value: AddressPolicy | undefined): void {
  installedDefault = value
}

/**
 * `value` as a policy; empty or `default` is `fallback`, else the installed default, else strict.
 * Throws a PermanentError naming the variable for anything it does not understand.
 */
export function parseAddressPolicy(value: string | undefined, fallback?: AddressPolicy): AddressPolicy {
  const text = (value ?? '').trim().toLowerCase()
  if (text === '' || text === 'default') {
    if (fallback ?? installedDefault) return (fallback ?? installedDefault) as AddressPolicy
    // No daemon installed a default (a CLI command, a test): the process environment, else none.
    const fromEnv = process.env[ALLOW_PRIVATE_ENV]
    return fromEnv?.trim() && fromEnv !== value ? parseAddressPolicy(fromEnv, STRICT_POLICY) : STRICT_POLICY
  }
  if (['all', 'true', '1', 'yes'].includes(text)) return ALLOW_ALL_POLICY
  if (['none', 'strict', 'false', '0', 'no'].includes(text)) return STRICT_POLICY
  let loopback = false
  let allowPrivate = false
  const ranges: [Address, number][] = []
  const parts: string[] = []
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue
    if (part === 'loopback') loopback = true
    else if (part === 'private') allowPrivate = true
    else {
      const range = parseRange(part)
      if (!range) {
        throw new PermanentError(
          `${ALLOW_PRIVATE_ENV}="${value}" is not understood at "${part}": use "none", "all", or a comma list of loopback, private and CIDR ranges (e.g. loopback,10.0.0.0/8)`,
          { code: 'invalid_setting' },
        )
      }
      ranges.push(range)
    }
    parts.push(part)
  }
  return policy(parts.join(','), { loopback, private: allowPrivate, ranges })
}

function parseRange(text: string): [Address, number] | undefined {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text)
    const address = ipaddr.parse(text)
    return [address, address.kind() === 'ipv4' ? 32 : 128]
  } catch {
    return undefined
  }
}

/**
 * The address the packets reach: an IPv6 address that carries an IPv4 one (mapped, translated,
 * NAT64, 6to4, IPv4-compatible) is that IPv4 address.
 */
export function effectiveAddress(text: string): Address {
  const address = ipaddr.parse(text)
  if (address.kind() === 'ipv4') return address
  const v6 = address as ipaddr.IPv6
  const bytes = v6.toByteArray()
  const ipv4At = (offset: number) => new ipaddr.IPv4(bytes.slice(offset, offset + 4))
  switch (v6.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return ipv4At(12)
    case '6to4':
      return ipv4At(2)
  }
  // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks); :: and ::1 are IPv6's own.
  if (bytes.slice(0, 12).every((b) => b === 0) && !['unspecified', 'loopback'].includes(v6.range())) {
    return ipv4At(12)
  }
  return v6
}

// Cloud metadata services: refused unless `all`, even inside an allowed range.
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata'])
const METADATA_ADDRESSES = new Set(['100.100.100.200', 'fd00:ec2::254'])
const ALWAYS_REFUSED = new Set(['linkLocal', 'unspecified'])

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private-network address',
  uniqueLocal: 'a private-network (unique local) address',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  reserved: 'a reserved, documentation or benchmarking address',
  benchmarking: 'a benchmarking address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  teredo: 'a Teredo tunnel address',
  deprecatedSiteLocal: 'a site-local address',
}

/** Why `address` is refused under `policy`, or undefined when it may be reached. */
export function refusalReason(address: string, policy: AddressPolicy): string | undefined {
  if (policy.all) return undefined
  let ip: Address
  try {
    ip = effectiveAddress(address)
  } catch {
    return 'not an IP address'
  }
  const range = ip.range()
  const seen = ip.toString() === ipaddr.parse(address).toString() ? '' : ` (it reaches ${ip})`
  if (ALWAYS_REFUSED.has(range) || METADATA_ADDRESSES.has(ip.toString())) {
    return `a link-local, metadata or unspecified address${seen}`
  }
  if (range === 'unicast') return undefined
  if (policy.loopback && range === 'loopback') return undefined
  if (policy.private && (range === 'private' || range === 'uniqueLocal')) return undefined
  if (policy.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return undefined
  return `${RANGE_NAMES[range] ?? `a non-public address (${range})`}${seen}`
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
  if (policy.all) return
  await assertHostAllowed(url.hostname, url.host, policy, lookup)
}

/** As assertAddressAllowed, for a bare host name (SMTP); returns the checked addresses. */
export async function assertHostAllowed(
  hostname: string,
  shown: string,
  policy: AddressPolicy,
  lookup: HostLookup = systemLookup,
): Promise<readonly ResolvedAddress[]> {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const literal = isIP(host)
  if (policy.all) return literal ? [{ address: host, family: literal }] : lookup(host)
  const name = host.replace(/\.$/, '')
  if (METADATA_NAMES.has(name)) throw refused(shown, host, 'a cloud metadata host name', true)
  const addresses = literal ? [{ address: host, family: literal }] : await resolve(shown, host, lookup)
  assertResolvedAllowed(shown, addresses, policy)
  return addresses
}

/** Throws a PermanentError when any of `host`'s resolved addresses is refused under `policy`. */
export function assertResolvedAllowed(
  host: string,
  addresses: readonly ResolvedAddress[],
  policy: AddressPolicy,
): void {
  for (const { address } of addresses) {
    const reason = refusalReason(address, policy)
    if (reason) throw refused(host, address, reason, reason.startsWith('a link-local'))
  }
}

async function resolve(shown: string, host: string, lookup: HostLookup): Promise<readonly ResolvedAddress[]> {
  try {
    return await lookup(host)
  } catch (error) {
    // Not left to the connection: a name that fails here and resolves there would skip the check.
    const code = (error as { code?: unknown }).code
    throw new RetryableError(
      `could not resolve ${shown}: ${typeof code === 'string' ? code : String(error)}`,
      {
        cause: error,
      },
    )
  }
}

function refused(host: string, address: string, reason: string, onlyAll: boolean): PermanentError {
  const hint = onlyAll
    ? `set ${ALLOW_PRIVATE_ENV}=all to allow it`
    : `the operator may allow it with ${ALLOW_PRIVATE_ENV} (e.g. loopback, private or a CIDR range)`
  return new PermanentError(`refused to request ${host}: ${address} is ${reason}; ${hint}`, {
    code: 'address_refused',
  })
}
