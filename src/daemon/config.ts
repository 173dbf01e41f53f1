/**
 * The daemon's configuration, read once from the environment and checked at start: every
 * problem is reported at once, with the variable to set and how.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resolveDataDir } from '../db/data-dir.js'
import { AreaError } from '../engine/errors.js'
import { parseEncryptionKey } from '../secrets/secret-box.js'
import { type DatabaseSettings, readDatabaseSettings } from './config-database.js'
import { type LimitsSettings, readLimitsSettings } from './config-limits.js'
import { isServerMode, type NetworkSettings, readNetworkSettings } from './config-network.js'
import { readPluginSpecs } from './config-plugins.js'
import { type PollingSettings, readPollingSettings } from './config-polling.js'
import { type RetrySettings, readRetrySettings } from './config-retry.js'
import { readSigninSettings, type SigninSettings } from './config-signin.js'
import { readStartupSettings, type StartupSettings } from './config-startup.js'
import { readTenancySettings, type TenancySettings } from './config-tenancy.js'
import { readTracingSettings, type TracingSettings } from './config-tracing.js'
import { type Env, integer } from './config-values.js'

export type Role = 'api' | 'worker' | 'scheduler' | 'all'
export const roles: readonly Role[] = ['api', 'worker', 'scheduler', 'all']

export interface DaemonConfig {
  roles: Role[]
  /** Unset: embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined
  /** Unset: the in-process queue (only with role `all`). */
  redisUrl: string | undefined
  redisPrefix: string
  /** Local state (embedded database, key file); unset with DATABASE_URL, where none is kept. */
  dataDir: string | undefined
  /** Base of webhook URLs handed to external services. */
  publicUrl: string
  encryptionKey: Buffer
  host: string
  port: number
  logLevel: string
  workerConcurrency: number
  /** How long a worker owns an event before another may take it over. */
  leaseSeconds: number
  logRetentionDays: number
  signup: 'open' | 'closed'
  webhookBodyLimitBytes: number
  /** Time the worker waits for running jobs on SIGTERM before handing them back. */
  drainTimeoutMs: number
  /** How often the scheduler looks for due polls. */
  schedulerTickMs: number
  /** BullMQ: a job whose worker stops renewing its lock this long is given to another worker. */
  jobLockMs: number
  /** Port of /metrics, /healthz and /readyz in processes without the API role (0: any free port). */
  metricsPort: number
  /** Webhook deliveries one hook may send per second, and the burst above it (429 beyond). */
  webhookRateLimit: number
  webhookRateBurst: number
  /**
   * Supabase Auth (SUPABASE_URL and SUPABASE_ANON_KEY, both or neither): when set, the API also
   * accepts Supabase access tokens. SUPABASE_SERVICE_ROLE_KEY is not read: verifying a user's
   * token needs the anon key only, and local accounts live in our own tables.
   */
  supabase: SupabaseSettings | undefined
  /** Poll concurrency and the slot lease (config-polling.ts). */
  polling: PollingSettings
  /** Attempts and waits of failed events and polls, and the ceilings of a reaction's own (config-retry.ts). */
  retry: RetrySettings
  /** The pooler in front of Postgres, the direct URL, prepared statements, pool size. */
  database: DatabaseSettings
  /** Waiting for Postgres and Redis at start; the metrics port's fallback. */
  startup: StartupSettings
  /** Per-user quotas and input limits (config-limits.ts). */
  limits: LimitsSettings
  /** Outgoing addresses and SMTP ports, by mode (config-network.ts). */
  network: NetworkSettings
  /** Sign-in throttling and proxy trust (config-signin.ts). */
  signin: SigninSettings
  /** Template budgets, the reaction ceiling and each user's share of the workers. */
  tenancy: TenancySettings
  /** AREA_PLUGINS: service plugins loaded beside the built-ins (src/plugins/). */
  plugins: string[]
  /** OpenTelemetry traces; undefined when no OTLP endpoint is set (config-tracing.ts). */
  tracing: TracingSettings | undefined
}

export interface SupabaseSettings {
  /** The project URL without a trailing slash, e.g. https://abcd.supabase.co. */
  url: string
  anonKey: string
}

export class ConfigError extends AreaError {
  readonly problems: string[]
  constructor(problems: string[]) {
    super('invalid_configuration', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.problems = problems
  }
}

export function loadDaemonConfig(env: Env, options: { roles: Role[]; port?: number }): DaemonConfig {
  const problems: string[] = []
  const all = options.roles.includes('all')
  const redisUrl = env.REDIS_URL || undefined
  const databaseUrl = env.DATABASE_URL || undefined
  if (!redisUrl && !all) {
    problems.push(
      `REDIS_URL is not set: --role=${options.roles.join(',')} shares its queue with other processes through Redis; set REDIS_URL (e.g. redis://127.0.0.1:6379), or run every role in one process with --role=all`,
    )
  }
  if (!databaseUrl && !all) {
    problems.push(
      `DATABASE_URL is not set: --role=${options.roles.join(',')} shares its database with other processes; set DATABASE_URL (e.g. postgres://user:pass@host:5432/db), or run --role=all with the embedded database`,
    )
  }
  const port = options.port ?? integer(env, 'PORT', 8080, problems, { min: 0, max: 65535 })
  // The embedded default is a laptop: listen on loopback only. A shared database means a server.
  const host = env.HOST || (databaseUrl ? '0.0.0.0' : '127.0.0.1')
  const publicUrl = (env.AREA_PUBLIC_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, '')
  if (!/^https?:\/\//.test(publicUrl)) {
    problems.push(`AREA_PUBLIC_URL must start with http:// or https:// (got "${publicUrl}")`)
  }
  // Not created with a shared database: a Kubernetes pod's root filesystem is read-only.
  const dataDir = databaseUrl ? undefined : resolveDataDir(env)
  const encryptionKey = loadEncryptionKey(env, databaseUrl, dataDir, problems)
  // A server is closed after its first account unless the operator opens it (README, "Network
  // and credentials"); a laptop's embedded `area dev` is one person's.
  const signup = env.AREA_SIGNUP || (isServerMode(env) ? 'closed' : 'open')
  if (signup !== 'open' && signup !== 'closed')
    problems.push(`AREA_SIGNUP must be "open" or "closed" (got "${signup}")`)
  const config: DaemonConfig = {
    roles: options.roles,
    databaseUrl,
    redisUrl,
    redisPrefix: env.AREA_REDIS_PREFIX || 'area',
    dataDir,
    publicUrl,
    encryptionKey,
    host,
    port,
    logLevel: env.LOG_LEVEL || 'info',
    workerConcurrency: integer(env, 'AREA_WORKER_CONCURRENCY', 64, problems, { min: 1, max: 1000 }),
    leaseSeconds: integer(env, 'AREA_LEASE_SECONDS', 30, problems, { min: 5, max: 3_600 }),
    logRetentionDays: integer(env, 'AREA_LOG_RETENTION_DAYS', 30, problems, { min: 1, max: 3650 }),
    signup: signup as 'open' | 'closed',
    webhookBodyLimitBytes: integer(env, 'AREA_WEBHOOK_BODY_LIMIT', 1024 * 1024, problems, {
      min: 1024,
      max: 64 * 1024 * 1024,
    }),
    drainTimeoutMs: integer(env, 'AREA_DRAIN_TIMEOUT_MS', 25_000, problems, { min: 0, max: 3_600_000 }),
    schedulerTickMs: integer(env, 'AREA_SCHEDULER_TICK_MS', 1_000, problems, { min: 50, max: 60_000 }),
    jobLockMs: integer(env, 'AREA_JOB_LOCK_MS', 30_000, problems, { min: 1_000, max: 600_000 }),
    metricsPort: integer(env, 'AREA_METRICS_PORT', 9464, problems, { min: 0, max: 65535 }),
    webhookRateLimit: integer(env, 'AREA_WEBHOOK_RATE_LIMIT', 500, problems, { min: 1, max: 10_000_000 }),
    webhookRateBurst: integer(env, 'AREA_WEBHOOK_RATE_BURST', 1_000, problems, { min: 1, max: 10_000_000 }),
    supabase: supabaseSettings(env, problems),
    polling: readPollingSettings(env, problems),
    retry: readRetrySettings(env, problems),
    database: readDatabaseSettings(env, databaseUrl, options.roles, problems),
    startup: readStartupSettings(env, problems),
    limits: readLimitsSettings(env, problems),
    network: readNetworkSettings(env, problems),
    signin: readSigninSettings(env, problems),
    tenancy: readTenancySettings(env, problems),
    plugins: readPluginSpecs(env),
    tracing: readTracingSettings(env, problems),
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${config.logLevel}")`,
    )
  }
  if (problems.length) throw new ConfigError(problems)
  return config
}

/** SUPABASE_URL and SUPABASE_ANON_KEY: both or neither; the URL must be an http(s) URL. */
function supabaseSettings(env: Env, problems: string[]): SupabaseSettings | undefined {
  const url = env.SUPABASE_URL || undefined
  const anonKey = env.SUPABASE_ANON_KEY || undefined
  if (!url && !anonKey) return undefined
  if (!url || !anonKey) {
    const [set, missing] = url ? ['SUPABASE_URL', 'SUPABASE_ANON_KEY'] : ['SUPABASE_ANON_KEY', 'SUPABASE_URL']
    problems.push(
      `${set} is set but ${missing} is not: Supabase Auth needs both (Project settings → API: the project URL and the anon public key), or neither to use area accounts only`,
    )
    return undefined
  }
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    parsed = undefined
  }
  if (
    !parsed ||
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
    parsed.search ||
    parsed.hash
  ) {
    problems.push(
      `SUPABASE_URL must be the project's http(s) URL, e.g. https://abcd.supabase.co (got "${url}")`,
    )
    return undefined
  }
  return { url: url.replace(/\/+$/, ''), anonKey }
}

/**
 * AREA_ENCRYPTION_KEY, else (embedded database only) a key file created on first start with
 * mode 0600. A shared database needs the same key in every replica, so there it is required.
 */
function loadEncryptionKey(
  env: Env,
  databaseUrl: string | undefined,
  dataDir: string | undefined,
  problems: string[],
): Buffer {
  const fromEnv = env.AREA_ENCRYPTION_KEY
  if (fromEnv) {
    const key = parseEncryptionKey(fromEnv)
    if (key.length !== 32) {
      problems.push(
        `AREA_ENCRYPTION_KEY must be 32 bytes in base64 (got ${key.length} bytes); create one with: openssl rand -base64 32`,
      )
    }
    return key
  }
  if (databaseUrl || !dataDir) {
    problems.push(
      'AREA_ENCRYPTION_KEY is not set: with DATABASE_URL every process must share one key; create one with: openssl rand -base64 32',
    )
    return Buffer.alloc(32)
  }
  const file = join(dataDir, 'encryption.key')
  if (!existsSync(file)) {
    // `wx` fails if another process created it meanwhile; then we read theirs.
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  const key = parseEncryptionKey(readFileSync(file, 'utf8'))
  if (key.length !== 32)
    problems.push(`${file} does not hold a 32-byte base64 key; remove it or set AREA_ENCRYPTION_KEY`)
  return key
}
