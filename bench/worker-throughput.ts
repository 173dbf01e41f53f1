/**
 * Worker executions/s (docs/architecture.md, "Performance"): BENCH_WORKER_EVENTS (20,000) events of
 * one webhook AREA with two `http.request` reactions posting to a local sink. The hook_logs rows
 * are inserted in bulk as the ingest commits them and their area_execution jobs enqueued as the
 * ingest enqueues them; then ONE worker process starts (the daemon's worker role, default
 * concurrency) and is timed from `go` until every event is processed (polled every 100 ms). Every
 * event must be done, with two successful execution_logs rows and two requests at the sink.
 *
 * Then, in the same run, the AREA language's figure (graph-throughput.ts): a `when`, a parallel
 * group of three reactions and a 10-item for_each per event, on a fresh worker process.
 *
 * Reference in the same run: BullMQ alone, a no-op Worker on as many jobs (bullmq-noop.ts). And the
 * Redis memory row of the targets: Redis used_memory after the executions, beside before, under the
 * retention the daemon runs with.
 */
import { sql } from 'kysely'
import { loadDaemonConfig } from '../src/daemon/config.js'
import { openStore } from '../src/db/open.js'
import type { JsonObject } from '../src/engine/types.js'
import { insertHookLogs } from './bulk-seed.js'
import { measureBullNoop } from './bullmq-noop.js'
import { cpuSnapshot, cpuSpent } from './cpu.js'
import type { BenchEnvironment } from './environment.js'
import { measureGraphThroughput } from './graph-throughput.js'
import { type ServerProcess, startServer } from './ipc.js'
import { enqueueExecutionJobs, sampleFailure, waitUntil, withQueue } from './jobs.js'
import { jsonBody } from './load.js'
import { redisMemoryFigure, settledUsedMemory } from './redis-memory.js'
import { type FigureRun, formatNumber, row, seconds } from './report.js'
import { seedWebhookArea } from './seed.js'
import { startSink } from './sink.js'
import { TARGETS } from './targets.js'

const events = Number(process.env.BENCH_WORKER_EVENTS ?? 20_000)
const reactions = 2
const timeoutMs = Number(process.env.BENCH_WORKER_TIMEOUT ?? 300) * 1000

const log = (message: string) => process.stderr.write(`bench: ${message}\n`)

export async function measureWorkerThroughput(env: BenchEnvironment): Promise<FigureRun> {
  const sink = await startSink()
  const store = await openStore({ databaseUrl: env.databaseUrl })
  let worker: ServerProcess | undefined
  try {
    const hook = await seedWebhookArea(env.databaseUrl, env.encryptionKey, sink.url, {
      name: 'bench-worker',
      email: 'worker@example.test',
      reactions,
    })
    const prefix = env.prefix()
    // Every event is one user's: this figure is the execution path's throughput, so that user may
    // use every slot (the per-user share is the adversarial figure's subject). With the default
    // share (a quarter) one user's burst runs 16 at a time and the rest is put back meanwhile.
    const workerEnv = {
      ...env.daemonEnv(prefix),
      AREA_USER_CONCURRENCY: process.env.AREA_USER_CONCURRENCY ?? process.env.AREA_WORKER_CONCURRENCY ?? '64',
      BENCH_ROLES: 'worker',
      BENCH_WAIT_FOR_GO: '1',
    }
    const concurrency = loadDaemonConfig(workerEnv, { roles: ['worker'], port: 0 }).workerConcurrency

    log(`BullMQ no-op: ${formatNumber(events)} jobs, concurrency ${concurrency}, one process`)
    const reference = await measureBullNoop({ prefix: env.prefix(), jobs: events, concurrency, timeoutMs })

    log(`worker: ${formatNumber(events)} events x ${reactions} reactions, concurrency ${concurrency}`)
    const payload = JSON.parse(jsonBody(1024)) as JsonObject
    const ids = await insertHookLogs(env.databaseUrl, { hookJobId: hook.hookJobId, count: events, payload })
    const memoryBefore = await settledUsedMemory()
    await enqueueExecutionJobs(
      prefix,
      ids.map((hookLogId) => ({ hookLogId, areaActionId: hook.areaActionId })),
    )
    const memoryQueued = await settledUsedMemory()
    worker = await startServer('./daemon-server.ts', workerEnv)
    const [cpuBefore, workerCpuBefore] = [await cpuSnapshot(), (await worker.stats()).cpuMs ?? 0]
    const started = performance.now()
    worker.go()
    const processed = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from area.hook_logs where processed`.execute(store.db))
          .rows[0]?.n,
      )
    const done = await waitUntil(async () => (await processed()) >= events, { intervalMs: 100, timeoutMs })
    const elapsedMs = (done ?? performance.now()) - started
    const spawnToDoneMs = (done ?? performance.now()) - worker.spawnedAt
    const cpu = {
      ...cpuSpent(cpuBefore, await cpuSnapshot()),
      workerSeconds: seconds(((await worker.stats()).cpuMs ?? 0) - workerCpuBefore),
    }
    const queueAfter = await withQueue(prefix, (queue) => queue.counts())
    const failure = queueAfter.delayed + queueAfter.failed > 0 ? await sampleFailure(prefix) : undefined
    if (failure) log(`worker: jobs are failing, e.g.: ${failure}`)
    await worker.stop()
    worker = undefined
    const memory = await redisMemoryFigure({
      prefix,
      executions: events,
      before: memoryBefore,
      queued: memoryQueued,
      after: await settledUsedMemory(),
      completedKept: queueAfter.completed,
    })

    const { rows } = await sql<{
      done: string
      failed: string
      successes: string
      first: Date | null
      last: Date | null
    }>`select
        (select count(*) from area.hook_logs where status = 'done') as done,
        (select count(*) from area.hook_logs where status = 'failed') as failed,
        (select count(*) from area.execution_logs where status = 'success') as successes,
        (select min(started_at) from area.execution_logs) as first,
        (select max(finished_at) from area.hook_logs) as last`.execute(store.db)
    const db = rows[0]!
    const windowMs = db.first && db.last ? db.last.getTime() - db.first.getTime() : 0
    const eventsPerSec = Math.round((events / elapsedMs) * 1000)
    const checks = {
      processed: await processed(),
      done: Number(db.done),
      failedEvents: Number(db.failed),
      reactionSuccesses: Number(db.successes),
      sinkRequests: sink.arrivals.length,
    }
    const complete =
      done !== undefined &&
      checks.done === events &&
      checks.reactionSuccesses === events * reactions &&
      checks.sinkRequests === events * reactions
    const graphPrefix = env.prefix()
    log(`worker: graph AREA (when, 3 in parallel, 10-item for_each), concurrency ${concurrency}`)
    // After this figure's checks (they count every event): the same worker settings on a queue prefix of its own.
    const graph = await measureGraphThroughput(
      env,
      sink,
      { ...workerEnv, AREA_REDIS_PREFIX: graphPrefix } as Record<string, string>,
      graphPrefix,
    )
    return {
      title: `worker: ${formatNumber(events)} events x ${reactions} http.request reactions to a local sink, one worker process, concurrency ${concurrency}`,
      json: {
        worker: {
          events,
          reactionsPerEvent: reactions,
          concurrency,
          seconds: seconds(elapsedMs),
          eventsPerSec,
          reactionsPerSec: eventsPerSec * reactions,
          secondsFromSpawn: seconds(spawnToDoneMs),
          firstReactionToLastEventSeconds: seconds(windowMs),
          ...checks,
          complete,
          cpu,
          queueAfter,
          ...(failure === undefined ? {} : { sampleFailure: failure }),
          reference: { bullmqNoop: reference },
          graph,
        },
        redis: memory.json,
      },
      pass: {
        workerEventsPerSec: complete && eventsPerSec >= TARGETS.workerEventsPerSec,
        workerComplete: complete,
        workerGraphComplete: graph.complete,
        redisBoundedByRetention: memory.bounded,
      },
      rows: [
        row(
          'worker executions (events)/s',
          `${formatNumber(eventsPerSec)}/s in ${seconds(elapsedMs)} s`,
          `>= ${formatNumber(TARGETS.workerEventsPerSec)}/s`,
          `BullMQ no-op ${formatNumber(reference.jobsPerSec)} jobs/s in ${reference.seconds} s`,
        ),
        row(
          'worker events/s, AREA with when + 3 parallel + 10-item for_each',
          `${formatNumber(graph.eventsPerSec)}/s (${formatNumber(graph.sendsPerSec)} sends/s) in ${graph.seconds} s`,
          '',
          `${formatNumber(graph.done)}/${formatNumber(graph.events)} done, ${formatNumber(graph.sinkRequests)} sink requests`,
        ),
        row(
          'worker time from process spawn / first reaction to last event',
          `${seconds(spawnToDoneMs)} s / ${seconds(windowMs)} s`,
          '',
          '',
        ),
        row(
          'events done / reactions ok / sink requests',
          `${formatNumber(checks.done)} / ${formatNumber(checks.reactionSuccesses)} / ${formatNumber(checks.sinkRequests)}`,
          `${formatNumber(events)} / ${formatNumber(events * reactions)} / ${formatNumber(events * reactions)}`,
          `no-op failed ${reference.failed}`,
        ),
        row(
          'CPU during the run: machine busy / worker / Redis / sink',
          `${cpu.machineBusyPercent}% of ${cpu.cores} cores / ${cpu.workerSeconds} s / ${cpu.redisSeconds} s / ${cpu.benchSeconds} s`,
          '',
          `of ${cpu.machineBusySeconds} CPU s in ${cpu.wallSeconds} s; rest mostly Postgres`,
        ),
        ...memory.rows,
      ],
    }
  } finally {
    await worker?.stop()
    await store.close()
    await sink.close()
  }
}
