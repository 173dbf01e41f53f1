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
  reason: string
}

export interface OpenWhenReachableOptions extends OpenContextOptions {
  /** Backoff between attempts (defaults: 250 ms doubling up to 5 s). */
  minDelayMs?: number
  maxDelayMs?: number
}

/** The start gave up: names what it waited for and the setting that bounds the wait. */
export class StartTimeoutError extends AreaError {
  constructor(state: StartupState, seconds: number) {
    const where = state.waitingFor === 'postgres' ? 'DATABASE_URL' : 'REDIS_URL'
    super(
      'start_timeout',
      `gave up after ${seconds} s waiting for ${state.waitingFor} (${state.reason}): check that ${where} points at a running server, or wait longer with AREA_START_TIMEOUT (seconds)`,
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
    if (config.databaseUrl) await reachable('postgres', pingPostgres(config.databaseUrl))
    if (config.redisUrl) await reachable('redis', pingRedis(config.redisUrl))
    try {
      return await openDaemonContext(config, { ...options, logger })
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw new AbortError(error as Error)
      throw new NotReachable({ status: 'starting', waitingFor: 'postgres', reason: errorMessage(error) })
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
              reason: state.reason,
              timeoutSeconds: config.startup.timeoutSeconds,
              probePort: probe.port,
            },
            `waiting for ${state.waitingFor} (${state.reason}); retrying with backoff for up to ${config.startup.timeoutSeconds} s (AREA_START_TIMEOUT); /readyz on port ${probe.port} says why`,
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
async function reachable(waitingFor: StartDependency, ping: Promise<void>): Promise<void> {
  try {
    await ping
  } catch (error) {
    if (waitingFor === 'postgres' && !isDatabaseUnavailable(error)) throw new AbortError(error as Error)
    throw new NotReachable({ status: 'starting', waitingFor, reason: errorMessage(error) })
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
