/**
 * Webhook → first reaction request (docs/architecture.md, "Performance"): signed webhooks at a
 * fixed rate into an API process, executed by a worker process through Redis, each reaction posting
 * to a local sink. The event carries the time it was sent; the sink reads it back from the
 * reaction's body, so both ends use this process's clock.
 */
import { signStandardWebhook } from '../src/services/webhook/standard-webhooks.js'
import { startServer } from './ipc.js'
import { sendPaced } from './paced-load.js'
import { seedWebhookArea } from './seed.js'
import { startSink } from './sink.js'

export interface LatencyResult {
  ratePerSec: number
  durationSeconds: number
  sent2xx: number
  /** Requests the generator sent more than 5 ms after their slot. */
  late: number
  delivered: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

const now = () => performance.timeOrigin + performance.now()

export async function measureWebhookToReaction(options: {
  databaseUrl: string
  env: NodeJS.ProcessEnv
  encryptionKey: Buffer
  ratePerSec: number
  durationSeconds: number
  /** Sent at the same rate first and not counted: JIT, pools and caches warm up. */
  warmupSeconds: number
}): Promise<LatencyResult> {
  let latencies: number[] = []
  const trace: [number, number][] = []
  const sink = await startSink((body) => {
    const sent = Number((JSON.parse(body.toString('utf8')) as { sent: number }).sent)
    const ms = now() - sent
    latencies.push(ms)
    trace.push([sent, ms])
  })
  const hook = await seedWebhookArea(options.databaseUrl, options.encryptionKey, sink.url, {
    name: 'bench-latency',
    email: 'latency@example.test',
    body: { sent: '{{ trigger.sent }}' },
  })
  const env = { ...options.env, AREA_WEBHOOK_RATE_LIMIT: '100000', AREA_WEBHOOK_RATE_BURST: '100000' }
  const api = await startServer('./daemon-server.ts', { ...env, BENCH_ROLES: 'api' })
  const worker = await startServer('./daemon-server.ts', { ...env, BENCH_ROLES: 'worker' })
  try {
    const send = (phase: string, durationSeconds: number) =>
      sendPaced({
        url: `http://127.0.0.1:${api.port}`,
        ratePerSec: options.ratePerSec,
        durationSeconds,
        build: (index) => {
          const id = `${phase}_${index}`
          const body = JSON.stringify({ type: 'bench.latency', sent: now() })
          const timestamp = String(Math.floor(Date.now() / 1000))
          return {
            path: `/webhooks/webhook/${hook.hookJobId}`,
            body,
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': timestamp,
              'webhook-signature': signStandardWebhook(hook.secret, { id, timestamp, body }),
            },
          }
        },
      })
    const warm = await send('warm', options.warmupSeconds)
    for (let i = 0; i < 150 && latencies.length < warm.ok2xx; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    latencies = []
    const result = await send('lat', options.durationSeconds)
    // Let the last events reach the sink.
    for (let i = 0; i < 150 && latencies.length < result.ok2xx; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    if (process.env.BENCH_TRACE) {
      const t0 = trace[0]?.[0] ?? 0
      const bySecond = new Map<number, number[]>()
      for (const [sent, ms] of trace) {
        const second = Math.floor((sent - t0) / 1000)
        bySecond.set(second, [...(bySecond.get(second) ?? []), ms])
      }
      for (const [second, values] of bySecond) {
        values.sort((a, b) => a - b)
        process.stderr.write(
          `${second}s n=${values.length} p50=${values[Math.floor(values.length / 2)]?.toFixed(1)} max=${values.at(-1)?.toFixed(1)}\n`,
        )
      }
    }
    const sorted = [...latencies].sort((a, b) => a - b)
    const pick = (q: number) =>
      Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10
    return {
      ratePerSec: options.ratePerSec,
      durationSeconds: options.durationSeconds,
      sent2xx: result.ok2xx,
      late: result.late,
      delivered: latencies.length,
      p50Ms: pick(0.5),
      p99Ms: pick(0.99),
      maxMs: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
    }
  } finally {
    await api.stop()
    await worker.stop()
    await sink.close()
  }
}
