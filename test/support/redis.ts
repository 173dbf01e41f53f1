/** Redis for tests: a unique key prefix on the shared server, or a private server to stop and start. */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

export const sharedRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export function uniquePrefix(name: string): string {
  return `area-test-${name}-${process.pid}-${randomBytes(3).toString('hex')}`
}

/** Deletes every key under `prefix` on the shared server. */
export async function deleteKeys(prefix: string, url = sharedRedisUrl): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** A redis-server of the test's own, on its own port, that the test may stop and start again. */
export interface PrivateRedis {
  url: string
  start(): Promise<void>
  stop(): Promise<void>
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const url = `redis://127.0.0.1:${port}`
  return {
    url,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      )
      for (let i = 0; i < 100; i++) {
        const probe = new Redis(url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        })
        try {
          await probe.connect()
          await probe.ping()
          probe.disconnect()
          return
        } catch {
          probe.disconnect()
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
      throw new Error(`redis-server on port ${port} did not start`)
    },
    async stop() {
      if (!child || child.exitCode !== null) return
      child.kill('SIGKILL')
      await once(child, 'exit')
    },
  }
}
