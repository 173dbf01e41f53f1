/**
 * Webhook → first reaction request (docs/architecture.md, "Performance"): paced signed webhooks
 * into an API process, run by a worker process, each reaction posting to a local sink (measured by
 * latency.ts). BENCH_LATENCY_RATE (default 500 req/s) and BENCH_DURATION set the load; BENCH_WARMUP
 * seconds at the same rate go first, not counted (cold processes need about 3 s to reach their
 * steady state); BENCH_TRACE=1 prints p50 and max per second of sending, warm-up included.
 */
import type { BenchEnvironment } from './environment.js'
import { measureWebhookToReaction } from './latency.js'
import { type FigureRun, formatNumber, row } from './report.js'
import { TARGETS } from './targets.js'

const ratePerSec = Number(process.env.BENCH_LATENCY_RATE ?? 500)
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10)
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 3)

export async function measureReactionLatency(env: BenchEnvironment): Promise<FigureRun> {
  process.stderr.write(
    `bench: webhook -> first reaction: ${ratePerSec} req/s for ${durationSeconds} s, API and worker processes\n`,
  )
  const latency = await measureWebhookToReaction({
    databaseUrl: env.databaseUrl,
    encryptionKey: env.encryptionKey,
    ratePerSec,
    durationSeconds,
    warmupSeconds,
    env: env.daemonEnv(env.prefix()),
  })
  return {
    title: `webhook -> first reaction request: ${ratePerSec} req/s for ${durationSeconds} s`,
    json: { webhookToFirstReaction: latency },
    pass: {
      webhookToReactionP50: latency.p50Ms <= TARGETS.reactionP50Ms,
      webhookToReactionP99: latency.p99Ms <= TARGETS.reactionP99Ms,
    },
    rows: [
      row(
        `webhook -> first reaction p50 / p99 at ${latency.ratePerSec}/s`,
        `${latency.p50Ms} / ${latency.p99Ms} ms`,
        `p50 <= ${TARGETS.reactionP50Ms}, p99 <= ${TARGETS.reactionP99Ms} ms`,
        `${formatNumber(latency.delivered)} of ${formatNumber(latency.sent2xx)} delivered`,
      ),
    ],
  }
}
