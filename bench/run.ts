/**
 * `npm run bench` (docs/architecture.md, "Performance"): every figure beside a reference measured
 * in the same run, against real Postgres and Redis on this machine. Prints one JSON object on
 * stdout and a table per figure on stderr (`npm run -s bench > bench.json` keeps the JSON alone).
 *
 * Each figure lives in its module and runs in an environment of its own (a fresh database and
 * Redis prefixes, removed afterwards even when it fails):
 *   ingest     webhook ingest req/s and p99 beside a bare Fastify handler (ingest.ts)
 *   latency    webhook → first reaction request p50/p99 (webhook-to-reaction.ts, latency.ts)
 *   worker     worker executions/s beside BullMQ no-op, and Redis memory (worker-throughput.ts)
 *   scheduler  claim + enqueue of 100k due polls by 3 schedulers, double fires (scheduler-claim.ts)
 *   pooler     ingest and worker through PgBouncer in transaction mode beside direct (pooler.ts)
 *   adversarial  a victim's webhook → reaction p50/p99 while another tenant attacks, beside the
 *              unloaded figure of the same run (adversarial.ts)
 *   cli        `area --version` and `area validate` start-up beside `node -e 0` (cli-startup.ts)
 * BENCH_ONLY=worker,scheduler runs some of them; a figure not run is null in the JSON and has no
 * pass entries. Each module names the variables that change its setup.
 */
import { cpus, totalmem } from 'node:os'
import { measureAdversarialTenant } from './adversarial.js'
import { measureCliStartup } from './cli-startup.js'
import { cleanUpEverything, describePostgres, redisVersion, withBenchEnvironment } from './environment.js'
import { measureIngest } from './ingest.js'
import { killServers } from './ipc.js'
import { measurePooler } from './pooler.js'
import { type FigureRun, megabytes, printTable } from './report.js'
import { measureSchedulerClaim } from './scheduler-claim.js'
import { TARGETS } from './targets.js'
import { measureReactionLatency } from './webhook-to-reaction.js'
import { measureWorkerThroughput } from './worker-throughput.js'

const FIGURES = {
  ingest: measureIngest,
  latency: measureReactionLatency,
  worker: measureWorkerThroughput,
  scheduler: measureSchedulerClaim,
  pooler: measurePooler,
  adversarial: measureAdversarialTenant,
  cli: measureCliStartup,
} as const
type FigureName = keyof typeof FIGURES

function selectedFigures(): FigureName[] {
  const all = Object.keys(FIGURES) as FigureName[]
  const only = process.env.BENCH_ONLY?.split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  if (!only?.length) return all
  const unknown = only.filter((name) => !all.includes(name as FigureName))
  if (unknown.length)
    throw new Error(`BENCH_ONLY: unknown figure ${unknown.join(', ')} (use ${all.join(',')})`)
  return all.filter((name) => only.includes(name))
}

async function main() {
  const figures = selectedFigures()
  const [postgres, redis] = await Promise.all([describePostgres(), redisVersion()])
  const runs: FigureRun[] = []
  for (const name of figures) {
    process.stderr.write(`bench: ${name}\n`)
    runs.push(await withBenchEnvironment(FIGURES[name]))
  }
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryMb: megabytes(totalmem()),
      node: process.version,
      postgres,
      redis,
    },
    figures,
    ingest: null,
    bare: null,
    ratio: null,
    webhookToFirstReaction: null,
    worker: null,
    scheduler: null,
    pooler: null,
    redis: null,
    adversarial: null,
    cliStartup: null,
    ...Object.assign({}, ...runs.map((run) => run.json)),
    targets: TARGETS,
    pass: Object.assign({}, ...runs.map((run) => run.pass)),
  }
  for (const run of runs) printTable(run.title, run.rows)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

// Ctrl-C: the figure's own cleanup does not run, so drop what is in use before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, removing the bench databases and Redis prefixes\n`)
    // Dropping a database ends the figure's own connections to it: their errors no longer matter.
    process.on('uncaughtException', () => undefined)
    void killServers()
      .then(cleanUpEverything)
      .finally(() => process.exit(130))
  })
}

await main()
