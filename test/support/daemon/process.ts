/**
 * Starts `area serve` as a real child process (the way the Helm chart runs each role) and
 * reads its JSON log lines: tests wait for "area is running" and collect what it logged.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

export interface DaemonProcess {
  name: string
  child: ChildProcess
  /** The API's port when it runs the api role. */
  port: number | undefined
  /** The metrics port of a process without the api role. */
  metricsPort: number | undefined
  url: string
  logs: Record<string, unknown>[]
  /** SIGTERM and wait for the exit (or SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>
  /** kill -9: no drain, no cleanup. */
  kill(): Promise<void>
}

// Children die with the test process, even when a test fails half-way through its setup.
const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** Starts several daemons; if one fails to start, the others are stopped before the error. */
export async function startDaemons(options: DaemonOptions[]): Promise<DaemonProcess[]> {
  const results = await Promise.allSettled(options.map(startDaemon))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  if (failed) {
    await Promise.all(started.map((p) => p.kill()))
    throw failed.reason
  }
  return started
}

/**
 * What every role of one test's deployment shares: its database, Redis and key prefix, a fresh
 * encryption key, and a fast scheduler tick; `extra` adds or overrides variables.
 */
export function daemonEnv(
  where: { databaseUrl: string; redisUrl: string; prefix: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: where.databaseUrl,
    REDIS_URL: where.redisUrl,
    AREA_REDIS_PREFIX: where.prefix,
    AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AREA_SCHEDULER_TICK_MS: '200',
    ...extra,
  }
}

/** Leases short enough that a killed worker's event is taken over within seconds. */
export const shortLeases = { AREA_LEASE_SECONDS: '5', AREA_JOB_LOCK_MS: '3000' }

export interface DaemonOptions {
  name: string
  role: string
  env: Record<string, string>
  /** How long to wait for "area is running". */
  startTimeoutMs?: number
}

export async function startDaemon(options: DaemonOptions): Promise<DaemonProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/dev.js', 'serve', `--role=${options.role}`, '--port', '0'],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LOG_LEVEL: 'info',
        // Several processes share this host: each metrics port is picked at listen time.
        AREA_METRICS_PORT: '0',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  live.add(child)
  child.once('exit', () => live.delete(child))
  const logs: Record<string, unknown>[] = []
  let stderr = ''
  let buffered = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        logs.push({ msg: line })
      }
    }
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)

  const started = Date.now()
  const timeout = options.startTimeoutMs ?? 60_000
  let running: Record<string, unknown> | undefined
  while (!running) {
    running = logs.find((l) => l.msg === 'area is running')
    if (running) break
    if (child.exitCode !== null) {
      throw new Error(
        `${options.name} exited with ${child.exitCode} before starting:\n${stderr}\n${JSON.stringify(logs)}`,
      )
    }
    if (Date.now() - started > timeout) {
      child.kill('SIGKILL')
      throw new Error(
        `${options.name} did not start within ${timeout} ms:\n${stderr}\n${JSON.stringify(logs)}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const port = typeof running.port === 'number' ? running.port : undefined
  return {
    name: options.name,
    child,
    port,
    metricsPort: typeof running.metricsPort === 'number' ? running.metricsPort : undefined,
    url: `http://127.0.0.1:${port}`,
    logs,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const code = await exited
      clearTimeout(timer)
      return code
    },
    async kill() {
      if (child.exitCode !== null) return
      child.kill('SIGKILL')
      await exited
    },
  }
}
