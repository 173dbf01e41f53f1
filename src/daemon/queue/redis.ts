/** Redis connections for the queue: producers fail fast, workers wait out an outage. */
import { Redis } from 'ioredis'
import { errorMessage } from '../../engine/errors.js'
import type { Logger } from '../../engine/types.js'
import { QueueUnavailableError } from './types.js'

export interface ProducerConnectionOptions {
  /** How long an enqueue waits for a reconnecting Redis before it rejects. */
  connectWaitMs?: number
  /** Bounds a command on a connection that is open but no longer answers. */
  commandTimeoutMs?: number
}

export interface WatchedRedis {
  redis: Redis
  /** Where Redis is, without credentials, for messages. */
  where: string
  report(error: unknown): void
  /** Resolves once connected, or rejects after `connectWaitMs` naming the last connection error. */
  whenReady(): Promise<void>
  close(): Promise<void>
}

/**
 * The producer's connection. Callers have committed the job to Postgres already, so an enqueue
 * that cannot reach Redis must reject promptly (and the sweeper enqueues later) rather than queue
 * commands in memory or hold an HTTP request open.
 */
export function producerConnection(
  redisUrl: string,
  logger: Logger,
  options: ProducerConnectionOptions = {},
): WatchedRedis {
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
  })
  return watch(redis, redisUrl, logger, 'queue producer', options.connectWaitMs ?? 1_000)
}

/** BullMQ workers need `maxRetriesPerRequest: null`: blocking commands must wait out an outage. */
export function workerConnection(redisUrl: string, logger: Logger): WatchedRedis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null })
  return watch(redis, redisUrl, logger, 'queue worker', Number.POSITIVE_INFINITY)
}

function watch(redis: Redis, redisUrl: string, logger: Logger, role: string, connectWaitMs: number) {
  const where = describeRedis(redisUrl)
  let lastError: unknown
  let failing = false
  redis.on('ready', () => {
    if (failing) logger.info({ redis: where }, `${role}: Redis connection is back`)
    failing = false
    lastError = undefined
  })

  // Every reconnect attempt errors again: log the first one of an outage only.
  const report = (error: unknown) => {
    lastError = error
    if (failing) return
    failing = true
    logger.warn({ redis: where, err: errorMessage(error) }, `${role}: Redis connection error`)
  }
  redis.on('error', report)

  const unreachable = () =>
    new QueueUnavailableError(
      `Redis at ${where} is unreachable${lastError === undefined ? '' : `: ${errorMessage(lastError)}`}`,
      { cause: lastError },
    )

  async function whenReady(): Promise<void> {
    if (redis.status === 'ready') return
    if (redis.status === 'end')
      throw new QueueUnavailableError(`the connection to Redis at ${where} is closed`)
    await new Promise<void>((resolve, reject) => {
      const done = (error?: QueueUnavailableError) => {
        clearTimeout(timer)
        redis.off('ready', onReady)
        if (error) reject(error)
        else resolve()
      }
      const onReady = () => done()
      const timer = Number.isFinite(connectWaitMs)
        ? setTimeout(() => done(unreachable()), connectWaitMs)
        : undefined
      redis.on('ready', onReady)
    })
  }

  async function close(): Promise<void> {
    if (redis.status === 'ready') {
      await redis.quit().catch(() => redis.disconnect())
    } else {
      redis.disconnect()
    }
  }

  return { redis, where, report, whenReady, close }
}

export function describeRedis(redisUrl: string): string {
  try {
    const url = new URL(redisUrl)
    return `${url.protocol}//${url.host}`
  } catch {
    return 'the configured URL'
  }
}
