/**
 * Webhook ingest (docs/architecture.md, "Performance"): the API in a child process (real daemon
 * context, BullMQ producer), autocannon here with 50 connections for 10 s, each request a signed
 * 1 KB JSON body with its own webhook-id; then the same load against a bare Fastify handler. Rows
 * committed are checked against the 2xx answers, and jobs enqueued against the rows.
 *
 * BENCH_DURATION (seconds), BENCH_CONNECTIONS, BENCH_WARMUP override the defaults; BENCH_APP=full
 * measures through the whole API of app.ts (see api-server.ts).
 */
import type { IngestSettings } from '../src/daemon/ingest/webhook-ingest.js'
import { createQueue } from '../src/daemon/queue/index.js'
import { type BenchEnvironment, REDIS_URL } from './environment.js'
import { type ServerProcess, type ServerStats, startServer } from './ipc.js'
import { jsonBody, runLoad } from './load.js'
import { type FigureRun, formatNumber, megabytes, row, sleep } from './report.js'
import { countHookLogs, seedWebhookArea } from './seed.js'
import { startSink } from './sink.js'
import { TARGETS } from './targets.js'

const durationSeconds = Number(process.env.BENCH_DURATION ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 3)
const app = process.env.BENCH_APP === 'full' ? 'full API (app.ts)' : 'ingest routes only'
// Production's default is info, which writes one line per request; the figure is the ingest's.
const apiLogLevel = 'warn'
const bodyBytes = 1024
// The per-hook limit stays on (its cost is measured) but far above what one machine can send.
const ingestSettings: Partial<IngestSettings> = { rateLimitPerSecond: 1_000_000, rateLimitBurst: 1_000_000 }

const log = (message: string) => process.stderr.write(`bench: ${message}\n`)

export async function measureIngest(env: BenchEnvironment): Promise<FigureRun> {
  const prefix = env.prefix()
  const sink = await startSink()
  const body = jsonBody(bodyBytes)
  let server: ServerProcess | undefined
  try {
    const hook = await seedWebhookArea(env.databaseUrl, env.encryptionKey, sink.url)
    const load = (port: number, seconds: number) =>
      runLoad({
        url: `http://127.0.0.1:${port}`,
        path: `/webhooks/webhook/${hook.hookJobId}`,
        secret: hook.secret,
        connections,
        durationSeconds: seconds,
        body,
      })

    server = await startServer('./api-server.ts', {
      ...env.daemonEnv(prefix),
      LOG_LEVEL: apiLogLevel,
      BENCH_INGEST_SETTINGS: JSON.stringify(ingestSettings),
      // BENCH_APP=full builds the ingest from the configuration: lift its per-hook limit the same way.
      AREA_WEBHOOK_RATE_LIMIT: String(ingestSettings.rateLimitPerSecond),
      AREA_WEBHOOK_RATE_BURST: String(ingestSettings.rateLimitBurst),
    })
    const api = server
    log(`ingest: warming up for ${warmupSeconds} s`)
    await load(api.port, warmupSeconds)
    // autocannon stops with up to one request per connection in flight: let those commit first,
    // or they count as rows of the measured run.
    await sleep(250)
    const rowsBefore = await countHookLogs(env.databaseUrl, hook.hookJobId)
    api.resetRss()
    const statsBefore = await api.stats()
    log(`ingest: ${connections} connections for ${durationSeconds} s`)
    const ingest = await load(api.port, durationSeconds)
    const statsAfter = await api.stats()
    const apiRssPeakMb = megabytes(statsAfter.rssPeakBytes)
    const batching = batchingOf(statsBefore, statsAfter)
    const committedRows = (await countHookLogs(env.databaseUrl, hook.hookJobId)) - rowsBefore
    const totalRows = rowsBefore + committedRows
    const enqueuedJobs = await waitForJobs(prefix, totalRows)
    await api.stop()

    server = await startServer('./bare-server.ts', { ...process.env })
    const bare = server
    log(`bare Fastify: warming up for ${warmupSeconds} s`)
    await load(bare.port, warmupSeconds)
    log(`bare Fastify: ${connections} connections for ${durationSeconds} s`)
    const reference = await load(bare.port, durationSeconds)
    await bare.stop()
    server = undefined

    const ratio = Math.round((ingest.reqPerSec / reference.reqPerSec) * 100) / 100
    const json = {
      ingest: {
        app,
        logLevel: apiLogLevel,
        connections,
        durationSeconds,
        bodyBytes,
        ...ingest,
        committedRows,
        // Every 2xx answer followed a commit. autocannon stops counting with requests still in
        // flight, so the rows may exceed the 2xx answers by at most one per connection.
        rowsCover2xx: committedRows >= ingest.ok2xx && committedRows - ingest.ok2xx <= connections,
        enqueuedJobs,
        jobsMatchRows: enqueuedJobs === totalRows,
        apiRssPeakMb,
        batching,
        settings: ingestSettings,
      },
      bare: reference,
      ratio,
    }
    return {
      title: `webhook ingest: ${connections} connections, ${durationSeconds} s, signed ${bodyBytes} B JSON`,
      json,
      pass: {
        ingestReqPerSec: ingest.reqPerSec >= TARGETS.ingestReqPerSec,
        ingestMinReqPerSec: ingest.reqPerSec >= TARGETS.ingestMinReqPerSec,
        p99: ingest.latencyMs.p99 <= TARGETS.p99Ms,
        ratio: ratio >= TARGETS.ratio,
        apiRss: apiRssPeakMb <= TARGETS.apiRssMb,
      },
      rows: [
        row(
          'ingest req/s',
          formatNumber(ingest.reqPerSec),
          `>= ${formatNumber(TARGETS.ingestReqPerSec)}`,
          `bare Fastify ${formatNumber(reference.reqPerSec)}`,
        ),
        row(
          'ingest latency p50 / p99',
          `${ingest.latencyMs.p50} / ${ingest.latencyMs.p99} ms`,
          `p99 <= ${TARGETS.p99Ms} ms`,
          `bare ${reference.latencyMs.p50} / ${reference.latencyMs.p99} ms`,
        ),
        row('ratio ingest / bare', String(ratio), `>= ${TARGETS.ratio}`, ''),
        row('API RSS peak', `${apiRssPeakMb} MB`, `<= ${TARGETS.apiRssMb} MB`, ''),
        row(
          '2xx answers / rows committed',
          `${formatNumber(ingest.ok2xx)} / ${formatNumber(committedRows)}`,
          `rows >= 2xx (+${connections} in flight)`,
          '',
        ),
        row(
          'rows per INSERT / jobs per addBulk',
          `${batching.rowsPerInsert} / ${batching.jobsPerBulk}`,
          '',
          '',
        ),
        row(
          'non-2xx / errors / timeouts',
          `${ingest.non2xx} / ${ingest.errors} / ${ingest.timeouts}`,
          '0',
          '',
        ),
        row(
          'jobs enqueued / rows',
          `${formatNumber(enqueuedJobs)} / ${formatNumber(totalRows)}`,
          'equal',
          '',
        ),
      ],
    }
  } finally {
    await server?.stop()
    await sink.close()
  }
}

/** How much the ingest batched during the measured run. */
function batchingOf(before: ServerStats, after: ServerStats) {
  const b0 = before.ingest?.batcher
  const b1 = after.ingest?.batcher
  const e0 = before.ingest?.enqueuer
  const e1 = after.ingest?.enqueuer
  if (!b0 || !b1 || !e0 || !e1)
    return { inserts: 0, rowsPerInsert: 0, largestBatch: 0, bulks: 0, jobsPerBulk: 0, leftToSweeper: 0 }
  const inserts = b1.batches - b0.batches
  const bulks = e1.bulks - e0.bulks
  const round = (n: number) => Math.round(n * 10) / 10
  return {
    inserts,
    rowsPerInsert: inserts ? round((b1.events - b0.events) / inserts) : 0,
    largestBatch: b1.largestBatch,
    bulks,
    jobsPerBulk: bulks ? round((e1.enqueued - e0.enqueued) / bulks) : 0,
    leftToSweeper: e1.leftToSweeper - e0.leftToSweeper,
  }
}

/** BullMQ jobs under `prefix`, once the API's background enqueues have caught up (or 10 s). */
async function waitForJobs(prefix: string, expected: number): Promise<number> {
  const { jobs: queue } = createQueue({ redisUrl: REDIS_URL, prefix })
  try {
    let waiting = 0
    for (let i = 0; i < 100; i++) {
      waiting = (await queue.counts()).waiting
      if (waiting >= expected) break
      await sleep(100)
    }
    return waiting
  } finally {
    await queue.close()
  }
}
