/** What the bench and its server processes tell each other, and the child side's RSS sampler. */
import { type ChildProcess, fork } from 'node:child_process'
import type { EnqueuerStats } from '../src/daemon/ingest/execution-enqueuer.js'
import type { BatcherStats } from '../src/daemon/ingest/ingest-batcher.js'
import { bundleServer } from './server-bundle.js'

/**
 * A server's figures: peak RSS, for the API the ingest's batching counters, for a scheduler the
 * polling slots it claimed and enqueued.
 */
export interface ServerStats {
  rssPeakBytes: number
  ingest?: { batcher: BatcherStats; enqueuer: EnqueuerStats }
  slotsEnqueued?: number
  /** CPU time (user + system) of the process so far. */
  cpuMs?: number
}

export type BenchMessage =
  | { type: 'listening'; port: number }
  | { type: 'stats?' }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'rss-reset' }
  /** To a server started with BENCH_WAIT_FOR_GO=1: ready, now start working. */
  | { type: 'go' }
  | { type: 'stop' }

/** Peak resident set size, sampled every 250 ms. */
export function sampleRss() {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 250)
  timer.unref()
  return {
    peak: () => Math.max(peak, process.memoryUsage.rss()),
    reset: () => {
      peak = process.memoryUsage.rss()
    },
    stop: () => clearInterval(timer),
  }
}

export interface ServerProcess {
  port: number
  /** performance.now() of this process when the server was forked, and when it said it listens. */
  spawnedAt: number
  readyAt: number
  /** The highest RSS since start or the last reset, and the ingest counters. */
  stats(): Promise<ServerStats>
  resetRss(): void
  /** Starts a server waiting for it (BENCH_WAIT_FOR_GO=1). */
  go(): void
  stop(): Promise<void>
}

const children = new Set<ChildProcess>()

/** Kills every server still running (on Ctrl-C, before their databases and prefixes go). */
export async function killServers(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}

/** Compiles `bench/<file>` to JavaScript, forks it and waits until it listens. */
export async function startServer(file: string, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const bundle = await bundleServer(file)
  const spawnedAt = performance.now()
  const child: ChildProcess = fork(bundle, [], {
    env,
    // BENCH_NODE_OPTIONS profiles the servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    execArgv: process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${file} exited with code ${code} before listening`))
    child.once('exit', onExit)
    child.on('message', (message: BenchMessage) => {
      if (message.type !== 'listening') return
      child.off('exit', onExit)
      resolve(message.port)
    })
  })
  const ask = () =>
    new Promise<ServerStats>((resolve) => {
      const onMessage = (message: BenchMessage) => {
        if (message.type !== 'stats') return
        child.off('message', onMessage)
        resolve(message.stats)
      }
      child.on('message', onMessage)
      child.send({ type: 'stats?' } satisfies BenchMessage)
    })
  const readyAt = performance.now()
  return {
    port,
    spawnedAt,
    readyAt,
    stats: ask,
    resetRss: () => child.send({ type: 'rss-reset' } satisfies BenchMessage),
    go: () => child.send({ type: 'go' } satisfies BenchMessage),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        child.send({ type: 'stop' } satisfies BenchMessage)
      }),
  }
}
