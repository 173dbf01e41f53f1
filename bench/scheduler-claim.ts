/**
 * Scheduler claim + enqueue (docs/architecture.md, "Performance"): BENCH_SCHEDULER_JOBS (100,000)
 * polling hook_jobs, all due a minute ago, then BENCH_SCHEDULERS (3) scheduler processes (the
 * daemon's scheduler role, no worker), timed from `go` until every poll job is waiting in BullMQ
 * (polled every 50 ms).
 *
 * Double fires, counted three independent ways after one more scheduler tick: poll jobs per hook
 * job in Redis beyond one (job ids are `poll-<hookJobId>-<slotMs>`, so a second claim of another
 * slot is a second job); slots the schedulers report having claimed beyond one per hook job
 * (a second claim of the same slot would be deduplicated by BullMQ, not by the claim); and hook
 * jobs whose schedule advanced more than once. The interval is an hour, so one slot per hook job
 * is due during the run and anything beyond one is a double fire.
 */
import { sql } from 'kysely'
import { loadDaemonConfig } from '../src/daemon/config.js'
import { pollQueueName } from '../src/daemon/queue/bullmq.js'
import { defaultSchedulerOptions } from '../src/daemon/scheduler/scheduler.js'
import { openStore } from '../src/db/open.js'
import { seedDuePolls } from './bulk-seed.js'
import { cpuSnapshot, cpuSpent } from './cpu.js'
import type { BenchEnvironment } from './environment.js'
import { type ServerProcess, startServer } from './ipc.js'
import { waitUntil, withQueue } from './jobs.js'
import { countPollJobs } from './poll-jobs.js'
import { type FigureRun, formatNumber, row, seconds, sleep } from './report.js'
import { TARGETS } from './targets.js'

const jobs = Number(process.env.BENCH_SCHEDULER_JOBS ?? 100_000)
const schedulers = Number(process.env.BENCH_SCHEDULERS ?? 3)
const intervalSeconds = 3_600
const timeoutMs = Number(process.env.BENCH_SCHEDULER_TIMEOUT ?? 120) * 1000

const log = (message: string) => process.stderr.write(`bench: ${message}\n`)

export async function measureSchedulerClaim(env: BenchEnvironment): Promise<FigureRun> {
  const dueAt = new Date(Date.now() - 60_000)
  log(`scheduler: seeding ${formatNumber(jobs)} due polling hook_jobs`)
  const seedStarted = performance.now()
  await seedDuePolls(env.databaseUrl, { count: jobs, dueAt, intervalSeconds })
  const seedMs = performance.now() - seedStarted
  const prefix = env.prefix()
  const schedulerEnv = { ...env.daemonEnv(prefix), BENCH_ROLES: 'scheduler', BENCH_WAIT_FOR_GO: '1' }
  const { schedulerTickMs } = loadDaemonConfig(schedulerEnv, { roles: ['scheduler'], port: 0 })
  const settings = { tickMs: schedulerTickMs, claimBatch: defaultSchedulerOptions.claimBatch }
  const processes: ServerProcess[] = []
  try {
    // One after the other: each compiles the same bundle before it forks.
    for (let i = 0; i < schedulers; i++) processes.push(await startServer('./daemon-server.ts', schedulerEnv))
    log(`scheduler: ${schedulers} processes, tick ${settings.tickMs} ms, claim batch ${settings.claimBatch}`)
    const schedulersCpuMs = async () =>
      (await Promise.all(processes.map((p) => p.stats()))).reduce((sum, s) => sum + (s.cpuMs ?? 0), 0)
    const timing = await withQueue(prefix, async (queue) => {
      const [cpuBefore, schedulersBefore] = [await cpuSnapshot(), await schedulersCpuMs()]
      const started = performance.now()
      for (const scheduler of processes) scheduler.go()
      const done = await waitUntil(async () => (await queue.counts()).waiting >= jobs, {
        intervalMs: 50,
        timeoutMs,
      })
      const elapsedMs = (done ?? performance.now()) - started
      const cpu = {
        ...cpuSpent(cpuBefore, await cpuSnapshot()),
        schedulersSeconds: seconds((await schedulersCpuMs()) - schedulersBefore),
      }
      // One more tick: a scheduler that would claim a slot again has had its chance.
      await sleep(settings.tickMs + 500)
      return { elapsedMs, cpu, complete: done !== undefined, waiting: (await queue.counts()).waiting }
    })
    const perScheduler = (await Promise.all(processes.map((p) => p.stats()))).map((s) => s.slotsEnqueued ?? 0)
    for (const scheduler of processes.splice(0)) await scheduler.stop()

    const redis = await countPollJobs(prefix, pollQueueName(), dueAt.getTime())
    const store = await openStore({ databaseUrl: env.databaseUrl })
    const schedule = await sql<{ once: string; never: string; other: string }>`
      select
        count(*) filter (where last_run_at = ${dueAt}::timestamptz
          and next_run_at = ${dueAt}::timestamptz + make_interval(secs => ${intervalSeconds})) as once,
        count(*) filter (where last_run_at is null) as never,
        count(*) filter (where last_run_at is distinct from ${dueAt}::timestamptz
          or next_run_at <> ${dueAt}::timestamptz + make_interval(secs => ${intervalSeconds})) as other
      from area.hook_jobs where type = 'polling'`
      .execute(store.db)
      .finally(() => store.close())
    const db = schedule.rows[0]!
    const claimed = perScheduler.reduce((a, b) => a + b, 0)
    const doubleFires = {
      extraJobsInRedis: redis.extraJobs,
      extraClaims: Math.max(0, claimed - jobs),
      scheduleAdvancedOtherwise: Number(db.other) - Number(db.never),
    }
    const doubleFireCount = Math.max(...Object.values(doubleFires))
    const allEnqueued =
      timing.complete && redis.hookJobs === jobs && Number(db.once) === jobs && redis.otherSlots === 0
    const jobsPerSec = Math.round((jobs / timing.elapsedMs) * 1000)
    return {
      title: `scheduler: ${formatNumber(jobs)} due polling hook_jobs, ${schedulers} scheduler processes, no worker`,
      json: {
        scheduler: {
          hookJobs: jobs,
          processes: schedulers,
          seconds: seconds(timing.elapsedMs),
          jobsPerSec,
          complete: timing.complete,
          allEnqueued,
          seedSeconds: seconds(seedMs),
          settings,
          claimedPerScheduler: perScheduler,
          waitingAfterOneMoreTick: timing.waiting,
          cpu: timing.cpu,
          redis,
          schedule: {
            advancedOnce: Number(db.once),
            neverClaimed: Number(db.never),
            other: Number(db.other),
          },
          doubleFires,
          doubleFireCount,
        },
      },
      pass: {
        schedulerWithin5s: allEnqueued && timing.elapsedMs <= TARGETS.schedulerEnqueueSeconds * 1000,
        schedulerNoDoubleFires: doubleFireCount === TARGETS.schedulerDoubleFires,
      },
      rows: [
        row(
          `scheduler claim + enqueue of ${formatNumber(jobs)}, ${schedulers} processes`,
          `${seconds(timing.elapsedMs)} s (${formatNumber(jobsPerSec)} jobs/s)`,
          `<= ${TARGETS.schedulerEnqueueSeconds} s`,
          `batch ${formatNumber(settings.claimBatch)}, tick ${settings.tickMs} ms`,
        ),
        row(
          'poll jobs in Redis / hook jobs with a job / advanced once',
          `${formatNumber(redis.jobs)} / ${formatNumber(redis.hookJobs)} / ${formatNumber(Number(db.once))}`,
          `${formatNumber(jobs)} each`,
          `claimed per process ${perScheduler.map(formatNumber).join(' + ')}`,
        ),
        row(
          'CPU during the claim: machine busy / Redis / schedulers',
          `${timing.cpu.machineBusyPercent}% of ${timing.cpu.cores} cores / ${timing.cpu.redisSeconds} s / ${timing.cpu.schedulersSeconds} s`,
          '',
          `of ${timing.cpu.machineBusySeconds} CPU s in ${timing.cpu.wallSeconds} s; rest mostly Postgres`,
        ),
        row(
          'double fires (Redis / claims / schedule)',
          `${doubleFires.extraJobsInRedis} / ${doubleFires.extraClaims} / ${doubleFires.scheduleAdvancedOtherwise}`,
          '0',
          '',
        ),
      ],
    }
  } finally {
    for (const scheduler of processes) await scheduler.stop()
  }
}
