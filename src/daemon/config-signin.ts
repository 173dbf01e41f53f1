/**
 * Sign-in throttling (README, "Network and credentials"): per-account and per-address limits on
 * logins and signups, a cap on concurrent password hashes, and whether X-Forwarded-For is trusted.
 */
import { type Env, integer } from './config-values.js'

export interface SigninSettings {
  /** Failed logins per account (e-mail, any case) within the window before 429. */
  accountFailures: number
  /** Login and signup attempts per client address within the window before 429. */
  addressAttempts: number
  windowSeconds: number
  /** Password hashes (argon2id, 19 MiB each) run at once; more wait in a queue. */
  hashConcurrency: number
  /** Hashes that may wait; beyond it the answer is 503 with Retry-After. */
  hashQueue: number
  /**
   * Fastify's trustProxy: false (the peer's address counts), true, a number of hops, or a comma
   * list of proxy addresses/CIDR ranges. Only then is X-Forwarded-For read.
   */
  trustProxy: boolean | number | string
}

export function readSigninSettings(env: Env, problems: string[]): SigninSettings {
  return {
    accountFailures: integer(env, 'AREA_LOGIN_ACCOUNT_LIMIT', 10, problems, { min: 1, max: 100_000 }),
    addressAttempts: integer(env, 'AREA_LOGIN_ADDRESS_LIMIT', 100, problems, { min: 1, max: 1_000_000 }),
    windowSeconds: integer(env, 'AREA_LOGIN_WINDOW_SECONDS', 900, problems, { min: 1, max: 86_400 }),
    hashConcurrency: integer(env, 'AREA_PASSWORD_HASH_CONCURRENCY', 4, problems, { min: 1, max: 256 }),
    hashQueue: integer(env, 'AREA_PASSWORD_HASH_QUEUE', 32, problems, { min: 0, max: 100_000 }),
    trustProxy: trustProxy(env.AREA_TRUST_PROXY, problems),
  }
}

function trustProxy(value: string | undefined, problems: string[]): boolean | number | string {
  const text = (value ?? '').trim().toLowerCase()
  if (text === '' || text === 'false' || text === '0' || text === 'no') return false
  if (text === 'true' || text === 'yes') return true
  if (/^\d+$/.test(text)) return Number(text)
  if (/^[0-9a-f.:/,\s]+$/.test(text)) return text.replace(/\s+/g, '')
  problems.push(
    `AREA_TRUST_PROXY must be true, a number of proxy hops, or a comma list of proxy addresses or CIDR ranges (got "${value}")`,
  )
  return false
}
