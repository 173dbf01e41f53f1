/**
 * The `pooler` figure: webhook ingest and worker throughput with DATABASE_URL through a
 * PgBouncer in transaction mode (as Supabase's port 6543), beside the same measurements on a
 * direct connection, in the same run. Each of the four runs has an environment of its own. The
 * bouncer is Debian's pgbouncer (see test/support/db/pgbouncer.ts), with BENCH_POOLER_SIZE
 * server connections (default 8): fewer than the processes' pools, as on a small plan.
 */
import { startPgBouncer } from '../test/support/db/pgbouncer.js'
import { type BenchEnvironment, withBenchEnvironment } from './environment.js'
import { measureIngest } from './ingest.js'
import { type FigureRun, formatNumber, row } from './report.js'
import { measureWorkerThroughput } from './worker-throughput.js'

const poolSize = Number(process.env.BENCH_POOLER_SIZE ?? 8)

interface IngestJson {
  ingest: { reqPerSec: number; latencyMs: { p50: number; p99: number } }
}
interface WorkerJson {
  worker: { eventsPerSec: number; complete: boolean; cpu: { workerSeconds: number }; events: number }
}

export async function measurePooler(): Promise<FigureRun> {
  const bouncer = await startPgBouncer({ mode: 'transaction', poolSize })
  try {
    const pooled = (env: BenchEnvironment): BenchEnvironment => ({
      ...env,
      daemonEnv: (prefix) => ({
        ...env.daemonEnv(prefix),
        DATABASE_URL: bouncer.url(env.databaseUrl),
        AREA_DATABASE_POOL_MODE: 'transaction',
      }),
    })
    const directIngest = (await withBenchEnvironment(measureIngest)).json as unknown as IngestJson
    const pooledIngest = (await withBenchEnvironment((env) => measureIngest(pooled(env))))
      .json as unknown as IngestJson
    const directWorker = (await withBenchEnvironment(measureWorkerThroughput)).json as unknown as WorkerJson
    const pooledWorker = (await withBenchEnvironment((env) => measureWorkerThroughput(pooled(env))))
      .json as unknown as WorkerJson
    const cpuMsPerEvent = (json: WorkerJson) =>
      Math.round((json.worker.cpu.workerSeconds * 1000 * 100) / json.worker.events) / 100
    const ingestRatio =
      Math.round((pooledIngest.ingest.reqPerSec / directIngest.ingest.reqPerSec) * 100) / 100
    const workerRatio =
      Math.round((pooledWorker.worker.eventsPerSec / directWorker.worker.eventsPerSec) * 100) / 100
    return {
      title: `through PgBouncer (transaction mode, ${poolSize} server connections) beside a direct connection`,
      json: {
        pooler: {
          poolSize,
          ingest: { direct: directIngest.ingest, pooled: pooledIngest.ingest, ratio: ingestRatio },
          worker: {
            direct: {
              eventsPerSec: directWorker.worker.eventsPerSec,
              cpuMsPerEvent: cpuMsPerEvent(directWorker),
            },
            pooled: {
              eventsPerSec: pooledWorker.worker.eventsPerSec,
              cpuMsPerEvent: cpuMsPerEvent(pooledWorker),
            },
            ratio: workerRatio,
          },
        },
      },
      pass: { poolerWorkerComplete: pooledWorker.worker.complete },
      rows: [
        row(
          'ingest req/s, pooled',
          formatNumber(pooledIngest.ingest.reqPerSec),
          '',
          `direct ${formatNumber(directIngest.ingest.reqPerSec)} (ratio ${ingestRatio})`,
        ),
        row(
          'ingest p99, pooled',
          `${pooledIngest.ingest.latencyMs.p99} ms`,
          '',
          `direct ${directIngest.ingest.latencyMs.p99} ms`,
        ),
        row(
          'worker events/s, pooled',
          formatNumber(pooledWorker.worker.eventsPerSec),
          'all events complete',
          `direct ${formatNumber(directWorker.worker.eventsPerSec)} (ratio ${workerRatio})`,
        ),
        row(
          'worker CPU per event, pooled',
          `${cpuMsPerEvent(pooledWorker)} ms`,
          '',
          `direct ${cpuMsPerEvent(directWorker)} ms (without prepared statements behind the pooler)`,
        ),
      ],
    }
  } finally {
    await bouncer.stop()
  }
}
