/**
 * Runs `area serve` as a real child process (the way the Helm chart runs each role) and reads its
 * JSON log lines: tests wait for "area is running" and collect what it logged. Deployments of
 * several roles go through topology.ts, which builds on this.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { cliBin, repoRoot } from '../cli/run-cli.js'
import { seedDataDir } from '../db/seed-data-dir.js'

export interface DaemonProcess {
  name: string
  role: string
  child: ChildProcess
  /** The API's port when it runs the api role. */
  port: number | undefined
  /** The metrics port of a process without the api role. */
  metricsPort: number | undefined
  url: string
  logs: Record<string, unknown>[]
  /** What it wrote to stderr so far (the CLI's error message when it fails to start). */
  stderr(): string
  /** Settles with the exit code when the process exits. */
  exited: Promise<number | null>
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

/** The operator's opt-ins a test deployment needs (fakes on 127.0.0.1, several accounts). */
export const serverModeOptIns = { AREA_HTTP_ALLOW_PRIVATE: 'loopback', AREA_SIGNUP: 'open' } as const

export interface DaemonOptions {
  name: string
  role: string
  env: Record<string, string>
  /** How long to wait for "area is running". */
  startTimeoutMs?: number
  /** The API's port (default 0: any free port). */
  port?: number
  /**
   * false: resolve as soon as the process is spawned, for tests of how it starts (it may wait
   * for Postgres or Redis, or fail); `port` and `metricsPort` are then undefined.
   */
  waitUntilRunning?: boolean
  /** false: an empty AREA_DATA_DIR stays empty, for tests of creating the embedded database. */
  seed?: boolean
}

/** `area serve` (the tests' built CLI) with `args`, in an environment of `env` only. */
function serveCommand(args: string[], env: Record<string, string>) {
  return {
    command: process.execPath,
    args: [cliBin(), 'serve', ...args],
    options: {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    },
  }
}

/** Runs `area serve` until it exits: for the configurations it refuses to start with. */
export function serve(args: string[], env: Record<string, string>) {
  const { command, args: argv, options } = serveCommand(args, env)
  return spawnSync(command, argv, { ...options, encoding: 'utf8', timeout: 60_000 })
}

export async function startDaemon(options: DaemonOptions): Promise<DaemonProcess> {
  // On the embedded database, a copy of the run's migrated one (pglite-template.ts), not an initdb.
  const dataDir = options.env.AREA_DATA_DIR
  if (dataDir && !options.env.DATABASE_URL && options.seed !== false) await seedDataDir(dataDir)
  const {
    command,
    args,
    options: spawnOptions,
  } = serveCommand([`--role=${options.role}`, '--port', String(options.port ?? 0)], {
    LOG_LEVEL: 'info',
    // Several processes share this host: each metrics port is picked at listen time.
    AREA_METRICS_PORT: '0',
    // Server mode refuses loopback and closes signup by default; the tests' fakes and sinks are
    // on 127.0.0.1 and they sign up several users, so they opt in explicitly.
    ...serverModeOptIns,
    ...options.env,
  })
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] })
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
  let running: Record<string, unknown> | undefined = options.waitUntilRunning === false ? {} : undefined
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
    role: options.role,
    child,
    port,
    metricsPort: typeof running.metricsPort === 'number' ? running.metricsPort : undefined,
    url: `http://127.0.0.1:${port}`,
    logs,
    stderr: () => stderr,
    exited,
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
