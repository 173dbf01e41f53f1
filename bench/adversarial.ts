/**
 * One tenant against another (docs/architecture.md, "One tenant against the others"): a victim's
 * webhook → reaction latency, first unloaded, then while an attacker in the same API and worker
 * processes tarpits reactions (a target that accepts and never answers), floods templates that
 * spend their whole budget, and sends poison webhooks (forged signatures, bodies nested 20,000
 * deep). Both phases run in this run, on the same processes, so the unloaded figure is the
 * reference. BENCH_VICTIM_EVENTS (default 50) victim webhooks at BENCH_VICTIM_RATE (10/s) per
 * phase; BENCH_ATTACK_EVENTS (default 200) tarpitted and as many templated events.
 */
import { createServer, type Socket } from 'node:net'
import { signStandardWebhook } from '../src/services/webhook/standard-webhooks.js'
import type { BenchEnvironment } from './environment.js'
import { startServer } from './ipc.js'
import { type FigureRun, row, sleep } from './report.js'
import { type SeededHook, seedWebhookArea } from './seed.js'
import { startSink } from './sink.js'
import { TARGETS } from './targets.js'

const victimEvents = Number(process.env.BENCH_VICTIM_EVENTS ?? 50)
const victimRate = Number(process.env.BENCH_VICTIM_RATE ?? 10)
const attackEvents = Number(process.env.BENCH_ATTACK_EVENTS ?? 200)
const hostileLoop = '{% for i in (1..2000) %}{% for j in (1..2000) %}{% endfor %}{% endfor %}'
const now = () => performance.timeOrigin + performance.now()

export interface VictimLatency {
  events: number
  delivered: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** The worker process's CPU time during the phase, per victim event. */
  workerCpuMsPerEvent: number
}

export async function measureAdversarialTenant(env: BenchEnvironment): Promise<FigureRun> {
  process.stderr.write(
    `bench: adversarial tenant: ${victimEvents} victim webhooks at ${victimRate}/s, unloaded then under attack\n`,
  )
  let latencies: number[] = []
  const sink = await startSink((body) => {
    const parsed = JSON.parse(body.toString('utf8')) as { sent?: number }
    if (parsed.sent !== undefined) latencies.push(now() - Number(parsed.sent))
  })
  const tarpit = await startTarpit()
  const seed = (options: Parameters<typeof seedWebhookArea>[3], url = sink.url) =>
    seedWebhookArea(env.databaseUrl, env.encryptionKey, url, options)
  const victim = await seed({
    name: 'victim',
    email: 'victim@example.test',
    body: { sent: '{{ trigger.sent }}' },
  })
  const held = await seed(
    {
      name: 'tarpit',
      email: 'attacker@example.test',
      body: { n: '{{ trigger.n }}' },
      params: { timeout: '5m' },
    },
    tarpit.url,
  )
  const heavy = await seed({
    name: 'heavy',
    userId: held.userId,
    body: { n: '{{ trigger.n }}' },
    params: {
      headers: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x-loop-${i}`, hostileLoop])),
    },
  })
  const daemonEnv = {
    ...env.daemonEnv(env.prefix()),
    AREA_WEBHOOK_RATE_LIMIT: '100000',
    AREA_WEBHOOK_RATE_BURST: '100000',
    AREA_HTTP_ALLOW_PRIVATE: 'all',
    // Cut and retried every 30 s rather than the default 5 min, so the attack churns.
    AREA_REACTION_TIMEOUT_SECONDS: '30',
  }
  const api = await startServer('./daemon-server.ts', { ...daemonEnv, BENCH_ROLES: 'api' })
  const worker = await startServer('./daemon-server.ts', { ...daemonEnv, BENCH_ROLES: 'worker' })
  const base = `http://127.0.0.1:${api.port}`
  try {
    const phase = async (): Promise<VictimLatency> => {
      latencies = []
      const cpuBefore = (await worker.stats()).cpuMs ?? 0
      for (let n = 0; n < victimEvents; n++) {
        void sendUntilAccepted(base, victim, JSON.stringify({ sent: now(), n }))
        await sleep(1000 / victimRate)
      }
      for (let i = 0; i < 300 && latencies.length < victimEvents; i++) await sleep(100)
      const cpuMs = ((await worker.stats()).cpuMs ?? 0) - cpuBefore
      return summarize(latencies, victimEvents, cpuMs)
    }
    await phase() // warm-up: processes, caches and render threads
    const unloaded = await phase()

    for (let n = 0; n < attackEvents; n++) {
      await post(base, held, JSON.stringify({ n }))
      await post(base, heavy, JSON.stringify({ n }))
    }
    let poisoning = true
    const poison = (async () => {
      while (poisoning) {
        await post(base, held, '{}', 'v1,AAAA').catch(() => undefined)
        await post(base, held, `${'['.repeat(20_000)}${']'.repeat(20_000)}`).catch(() => undefined)
        await sleep(20)
      }
    })()
    for (let i = 0; i < 100 && tarpit.open() === 0; i++) await sleep(100)
    await sleep(1_000)
    const heldAtStart = tarpit.open()
    const attacked = await phase()
    poisoning = false
    await poison

    const ratio = attacked.p99Ms / Math.max(1, unloaded.p99Ms)
    return {
      title: `one tenant against another: ${victimEvents} victim webhooks at ${victimRate}/s`,
      json: {
        adversarial: {
          unloaded,
          attacked,
          attack: { tarpitted: attackEvents, templated: attackEvents, tarpitHeldAtStart: heldAtStart },
        },
      },
      pass: { victimP99UnderAttack: attacked.p99Ms <= TARGETS.victimP99UnderAttackMs },
      rows: [
        row(
          'victim webhook -> reaction p50 / p99 under attack',
          `${attacked.p50Ms} / ${attacked.p99Ms} ms`,
          `p99 <= ${TARGETS.victimP99UnderAttackMs} ms`,
          `unloaded ${unloaded.p50Ms} / ${unloaded.p99Ms} ms (p99 x${ratio.toFixed(1)})`,
        ),
        row(
          'victim events delivered',
          `${attacked.delivered} of ${attacked.events}`,
          'all',
          `unloaded ${unloaded.delivered} of ${unloaded.events}`,
        ),
        row(
          'worker CPU per victim event (the attack included)',
          `${attacked.workerCpuMsPerEvent} ms`,
          '-',
          `unloaded ${unloaded.workerCpuMsPerEvent} ms; ${heldAtStart} tarpitted reactions in flight (within the attacker's share)`,
        ),
      ],
    }
  } finally {
    await api.stop()
    await worker.stop()
    await sink.close()
    await tarpit.close()
  }
}

/** The victim as a webhook sender: a 503 (or a lost connection) is sent again, as senders do. */
async function sendUntilAccepted(base: string, hook: SeededHook, body: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const status = await post(base, hook, body).catch(() => 0)
    if (status >= 200 && status < 300) return
    await sleep(100)
  }
}

/** A signed Standard Webhooks delivery; `signature` forges one instead. */
async function post(base: string, hook: SeededHook, body: string, signature?: string): Promise<number> {
  const id = `msg_${Math.random().toString(36).slice(2)}`
  const timestamp = String(Math.floor(Date.now() / 1000))
  const response = await fetch(`${base}/webhooks/webhook/${hook.hookJobId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': signature ?? signStandardWebhook(hook.secret, { id, timestamp, body }),
    },
    body,
  })
  await response.arrayBuffer()
  return response.status
}

function summarize(latencies: number[], events: number, cpuMs: number): VictimLatency {
  const sorted = [...latencies].sort((a, b) => a - b)
  const pick = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0) * 10) / 10
  return {
    events,
    delivered: sorted.length,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    maxMs: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
    workerCpuMsPerEvent: Math.round((cpuMs / events) * 10) / 10,
  }
}

/** Accepts connections and never answers. */
async function startTarpit() {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
