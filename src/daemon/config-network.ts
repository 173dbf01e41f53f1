/**
 * Where outgoing requests may go (README, "Network and credentials"): the address policy of
 * every outgoing call, by mode, and the SMTP ports e-mail may use.
 *
 * Server mode is a shared database or an API listening beyond loopback: there AREA authors are
 * not the operator, so private, loopback and reserved addresses are refused unless
 * AREA_HTTP_ALLOW_PRIVATE opens them. The embedded `area dev` on 127.0.0.1 is one person's
 * laptop: loopback is allowed, and the start log says so.
 */
import ipaddr from 'ipaddr.js'
import { type AddressPolicy, ALLOW_PRIVATE_ENV, parseAddressPolicy } from '../net/address-guard.js'
import { DEFAULT_SMTP_PORTS, parsePortList, SMTP_PORTS_ENV } from '../net/smtp-ports.js'
import type { Env } from './config-values.js'

export interface NetworkSettings {
  /** DATABASE_URL set, or HOST not a loopback address. */
  serverMode: boolean
  /** The policy outgoing calls use when their own setting is empty. */
  addressPolicy: AddressPolicy
  /** TCP ports e-mail may connect to. */
  smtpPorts: readonly number[]
}

export function isServerMode(env: Env): boolean {
  if (env.DATABASE_URL) return true
  const host = (env.HOST || '127.0.0.1').replace(/^\[|\]$/g, '')
  if (host === 'localhost') return false
  return !ipaddr.isValid(host) || ipaddr.parse(host).range() !== 'loopback'
}

export function readNetworkSettings(env: Env, problems: string[]): NetworkSettings {
  const serverMode = isServerMode(env)
  const modeDefault = parseAddressPolicy(serverMode ? 'none' : 'loopback')
  let addressPolicy = modeDefault
  try {
    addressPolicy = parseAddressPolicy(env[ALLOW_PRIVATE_ENV], modeDefault)
  } catch (error) {
    problems.push((error as Error).message)
  }
  let smtpPorts: readonly number[] = DEFAULT_SMTP_PORTS
  try {
    smtpPorts = parsePortList(env[SMTP_PORTS_ENV])
  } catch (error) {
    problems.push((error as Error).message)
  }
  return { serverMode, addressPolicy, smtpPorts }
}

/**
 * The start log's one line about what AREA authors may reach and who may sign up; a warning when
 * either is wider than the server default, so `area dev` (which logs warnings) says it too.
 */
export function networkStartNotice(
  network: NetworkSettings,
  signup: 'open' | 'closed',
): { level: 'info' | 'warn'; message: string } {
  const policy = network.addressPolicy
  const outgoing = policy.all
    ? `outgoing requests may reach every address (${ALLOW_PRIVATE_ENV}=all)`
    : policy.text === 'none'
      ? 'outgoing requests reach public addresses only'
      : `outgoing requests may also reach ${policy.text}${network.serverMode ? '' : ' (embedded mode)'}; set ${ALLOW_PRIVATE_ENV}=none to refuse them`
  const signing =
    signup === 'open'
      ? 'anyone may sign up (AREA_SIGNUP=open)'
      : 'signup is closed after the first account (AREA_SIGNUP=open opens it)'
  const wide = policy.text !== 'none' || (network.serverMode && signup === 'open')
  return { level: wide ? 'warn' : 'info', message: `${outgoing}; ${signing}` }
}
