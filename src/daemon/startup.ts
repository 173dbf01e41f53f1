/**
 * Opening the daemon context when Postgres or Redis is not up yet (a cluster starting at once, a
 * database restarting): instead of exiting on the first ECONNREFUSED, the process retries with
 * exponential backoff for up to AREA_START_TIMEOUT seconds, logging one line when it starts
 * waiting (what for, and why) and one when it is ready. Meanwhile a small probe server on the
 * process's port answers `/healthz` 200 (alive: do not restart it) and `/readyz` 503 saying what
 * it waits for (docs/architecture.md, "Riding out faults").
 */
import { createServer, type Server } from 'node:http'
import { Redis } from 'ioredis'
import pRetry, { AbortError } from 'p-retry'
import pg from 'pg'
import { AREA_VERSION_HEADER } from '../contract/identity.js'
import { isDatabaseUnavailable } from '../db/unavailable.js'
import { AreaError, errorMessage } from '../engine/errors.js'
import type { DaemonConfig } from './config.js'
import { type DaemonContext, type OpenContextOptions, openDaemonContext } from './context.js'
import { listenOn } from './listen.js'
import { type AppLogger, createLogger } from './logger.js'
import { areaVersion } from './version.js'

export type StartDependency = 'postgres' | 'redis'

export interface StartupState {
  status: 'starting'
  waitingFor: StartDependency
  /** `host:port` tried, from DATABASE_URL or REDIS_URL: never the user or password. */
  endpoint: string
  reason: string
}

/** The setting that names each dependency, for messages that say what to fix. */
const settingOf: Record<StartDependency, string> = { postgres: 'DATABASE_URL', redis: 'REDIS_URL' }
const defaultPorts: Record<StartDependency, number> = { postgres: 5432, redis: 6379 }

/** `host:port` of a connection URL, without user, password, database or options. */
export function endpointOf(url: string, dependency: StartDependency): string {
  try {
    const parsed = new URL(url)
    // postgres:///db?host=/run/postgresql: a Unix socket named in the options.
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost'
    return `${host}:${parsed.port || defaultPorts[dependency]}`
  } catch {
    return `the address in ${settingOf[dependency]}`
  }
}

/** Why a connection failed, in words rather than errno names. */
export function connectReason(error: unknown): string {
  const codes = new Set<string>()
  const collect = (e: unknown, depth = 0): void => {
    if (e === null || typeof e !== 'object' || depth > 4) return
    const { code, errors, cause } = e as { code?: unknown; errors?: unknown; cause?: unknown }
    if (typeof code === 'string') codes.add(code)
    if (Array.isArray(errors)) for (const inner of errors) collect(inner, depth + 1)
    collect(cause, depth + 1)
  }
  collect(error)
  if (codes.has('ECONNREFUSED')) return 'connection refused: nothing listens there'
  if (codes.has('ENOTFOUND') || codes.has('EAI_AGAIN')) return 'host not found'
  if (codes.has('ETIMEDOUT')) return 'no answer: timed out'
  if (codes.has('EHOSTUNREACH') || codes.has('ENETUNREACH')) return 'host unreachable'
  return errorMessage(error)
}

export interface OpenWhenReachableOptions extends OpenContextOptions {
  /** Backoff between attempts (defaults: 250 ms doubling up to 5 s). */
  minDelayMs?: number
  maxDelayMs?: number
}

/** The start gave up: names what it waited for and the setting that bounds the wait. */
export class StartTimeoutError extends AreaError {
  constructor(state: StartupState, seconds: number) {
    const where = settingOf[state.waitingFor]
    super(
      'start_timeout',
      `gave up after ${seconds} s waiting for ${state.waitingFor} at ${state.endpoint}, from ${where} (${state.reason}): start ${state.waitingFor} there, or set ${where} to the host and port of a running server, or wait longer with AREA_START_TIMEOUT (seconds)`,
    )
  }
}

/** Reached, but it refused us (a wrong password, a missing database): waiting will not help. */
export class DependencyRefusedError extends AreaError {
  constructor(dependency: StartDependency, endpoint: string, reason: string) {
    const where = settingOf[dependency]
    super(
      'invalid_configuration',
      `${dependency} at ${endpoint}, from ${where}, refused the connection (${reason}): fix the user, password or database in ${where}`,
    )
  }
}

/** A dependency that is not there yet: worth another attempt. */
class NotReachable extends Error {
  constructor(readonly state: StartupState) {
    super(`${state.waitingFor}: ${state.reason}`)
  }
}

export async function openDaemonWhenReachable(
  config: DaemonConfig,
  options: OpenWhenReachableOptions = {},
): Promise<DaemonContext> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const timeoutMs = config.startup.timeoutSeconds * 1000
  const started = Date.now()
  let state: StartupState | undefined
  let probe: { server: Server; port: number } | undefined

  /**
   * Both are checked before the context opens: a BullMQ queue created and closed while Redis is
   * away emits an 'error' nobody listens to.
   */
  async function attempt(): Promise<DaemonContext> {
    if (config.databaseUrl) await reachable('postgres', config.databaseUrl, pingPostgres(config.databaseUrl))
    if (config.redisUrl) await reachable('redis', config.redisUrl, pingRedis(config.redisUrl))
    try {
      return await openDaemonContext(config, { ...options, logger })
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw new AbortError(error as Error)
      throw new NotReachable({
        status: 'starting',
        waitingFor: 'postgres',
        endpoint: config.databaseUrl ? endpointOf(config.databaseUrl, 'postgres') : 'the embedded database',
        reason: connectReason(error),
      })
    }
  }

  try {
    const ctx = await pRetry(attempt, {
      // Until maxRetryTime (`retries: Infinity` would make retry build an endless list of delays).
      // retry's maxRetryTime treats 0 as no limit: a timeout of 0 is one attempt.
      ...(timeoutMs === 0 ? { retries: 0 } : { forever: true }),
      factor: 2,
      minTimeout: options.minDelayMs ?? 250,
      maxTimeout: options.maxDelayMs ?? 5_000,
      randomize: true,
      maxRetryTime: timeoutMs,
      async onFailedAttempt(failure) {
        if (!(failure instanceof NotReachable)) return
        const previous = state
        state = failure.state
        if (timeoutMs === 0) return
        probe ??= await startProbe(config, logger, () => state)
        // One line when the wait starts, and one if it moves on to another dependency.
        if (previous?.waitingFor !== state.waitingFor) {
          logger.warn(
            {
              waitingFor: state.waitingFor,
              endpoint: state.endpoint,
              reason: state.reason,
              timeoutSeconds: config.startup.timeoutSeconds,
              probePort: probe.port,
            },
            `waiting for ${state.waitingFor} at ${state.endpoint} (${settingOf[state.waitingFor]}: ${state.reason}); retrying with backoff for up to ${config.startup.timeoutSeconds} s (AREA_START_TIMEOUT); /readyz on port ${probe.port} says why`,
          )
        }
      },
    })
    if (state) {
      const waitedSeconds = Math.round((Date.now() - started) / 100) / 10
      logger.info({ waitedSeconds }, `postgres and redis are reachable after ${waitedSeconds} s; starting`)
    }
    return ctx
  } catch (error) {
    // retry's own timeout error, or the last NotReachable: either way the wait is over.
    if (state && (error instanceof NotReachable || /RetryOperation timeout/.test(errorMessage(error))))
      throw new StartTimeoutError(state, config.startup.timeoutSeconds)
    throw error
  } finally {
    // The roles listen on the same port next.
    if (probe) await closeServer(probe.server)
  }
}

/** Waiting is for a server that is not there yet; anything else (a wrong password) fails at once. */
async function reachable(waitingFor: StartDependency, url: string, ping: Promise<void>): Promise<void> {
  const endpoint = endpointOf(url, waitingFor)
  try {
    await ping
  } catch (error) {
    if (waitingFor === 'postgres' && !isDatabaseUnavailable(error))
      throw new AbortError(new DependencyRefusedError(waitingFor, endpoint, errorMessage(error)))
    if (waitingFor === 'redis' && /^(WRONGPASS|NOAUTH|NOPERM)/.test(errorMessage(error)))
      throw new AbortError(new DependencyRefusedError(waitingFor, endpoint, errorMessage(error)))
    throw new NotReachable({ status: 'starting', waitingFor, endpoint, reason: connectReason(error) })
  }
}

async function pingPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('select 1')
  } finally {
    await client.end().catch(() => {})
  }
}

async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5_000,
  })
  // The connect's own error says why ("Connection is closed" only says that it failed).
  let cause: unknown
  redis.on('error', (error: unknown) => {
    cause ??= error
  })
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    throw cause ?? error
  } finally {
    redis.disconnect()
  }
}

/** `/healthz` 200 and `/readyz` 503 with what the process waits for, on the port the roles will use. */
async function startProbe(
  config: DaemonConfig,
  logger: AppLogger,
  current: () => StartupState | undefined,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    // The CLI knows an area server by this header, also while it starts.
    res.setHeader(AREA_VERSION_HEADER, areaVersion)
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
    } else if (path === '/readyz') {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify(current()))
    } else {
      res
        .writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' })
        .end(JSON.stringify({ ...current(), detail: 'area is starting; retry shortly' }))
    }
  })
  const api = config.roles.includes('all') || config.roles.includes('api')
  const port = await listenOn(
    server,
    api
      ? { host: config.host, port: config.port, setting: 'PORT or --port' }
      : {
          host: config.host,
          port: config.metricsPort,
          setting: 'AREA_METRICS_PORT',
          fallbackToAnyPort: !config.startup.metricsPortGiven,
          logger,
          what: 'startup probe',
        },
  )
  return { server, port }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}
