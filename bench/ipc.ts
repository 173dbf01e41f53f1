/** What the bench and its server processes tell each other, and the child side's RSS sampler. */
import { type ChildProcess, fork } from 'node:child_process'
import type { EnqueuerStats } from '../src/daemon/ingest/execution-enqueuer.js'
import type { BatcherStats } from '../src/daemon/ingest/ingest-batcher.js'
import { bundleServer } from './server-bundle.js'

/** A server's figures: peak RSS, and for the API the ingest's batching counters. */
export interface ServerStats {
  rssPeakBytes: number
  ingest?: { batcher: BatcherStats; enqueuer: EnqueuerStats }
}

export type BenchMessage =
  | { type: 'listening'; port: number }
  | { type: 'stats?' }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'rss-reset' }
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
  /** The highest RSS since start or the last reset, and the ingest counters. */
  stats(): Promise<ServerStats>
  resetRss(): void
  stop(): Promise<void>
}

/** Compiles `bench/<file>` to JavaScript, forks it and waits until it listens. */
export async function startServer(file: string, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child: ChildProcess = fork(await bundleServer(file), [], {
    env,
    // BENCH_NODE_OPTIONS profiles the servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    execArgv: process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
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
  return {
    port,
    stats: ask,
    resetRss: () => child.send({ type: 'rss-reset' } satisfies BenchMessage),
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
