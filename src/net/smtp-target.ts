/**
 * Where an e-mail reaction may connect: an allowed SMTP port (`AREA_SMTP_PORTS`) and an address
 * the address guard allows, resolved here and handed to nodemailer as the literal address to
 * connect to, so the socket reaches exactly what was judged (no second DNS answer) while TLS
 * still checks the certificate against the name the connection gave.
 */
import { isIP } from 'node:net'
import { PermanentError } from '../engine/errors.js'
import { assertHostAllowed, type HostLookup, parseAddressPolicy, systemLookup } from './address-guard.js'
import { parsePortList, SMTP_PORTS_ENV } from './smtp-ports.js'

export interface SmtpTarget {
  /** The checked IP address to connect to. */
  address: string
  /** The name for SNI and certificate checks, when the connection gave a name. */
  servername: string | undefined
}

export interface SmtpTargetOptions {
  /** `AREA_HTTP_ALLOW_PRIVATE` as the service's settings resolved it (empty: the default). */
  allowPrivate?: string
  /** `AREA_SMTP_PORTS` as the service's settings resolved it (empty: the process's, else 25,465,587,2525). */
  ports?: string
  lookup?: HostLookup
}

export async function resolveSmtpTarget(
  host: string,
  port: number,
  options: SmtpTargetOptions = {},
): Promise<SmtpTarget> {
  const ports = parsePortList(options.ports || process.env[SMTP_PORTS_ENV])
  if (!ports.includes(port)) {
    throw new PermanentError(
      `refused to send mail through ${host}:${port}: port ${port} is not an SMTP port this server allows (${SMTP_PORTS_ENV}=${ports.join(',')})`,
      { code: 'port_refused' },
    )
  }
  const policy = parseAddressPolicy(options.allowPrivate)
  const [first] = await assertHostAllowed(host, `${host}:${port}`, policy, options.lookup ?? systemLookup)
  if (!first) throw new PermanentError(`could not send mail through ${host}:${port}: the name has no address`)
  const bare = host.replace(/^\[|\]$/g, '')
  return { address: first.address, servername: isIP(bare) ? undefined : bare }
}
