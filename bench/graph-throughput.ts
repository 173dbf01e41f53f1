/**
 * Worker events/s for an AREA that uses the AREA language (issue 13), measured in the same run as
 * the two-reaction figure (worker-throughput.ts calls it): a `when` on the action, a parallel group
 * of three `http.request` reactions, then a 10-item `for_each` after all three, all to the local
 * sink; 13 sends per event. BENCH_GRAPH_EVENTS (2,000) events, one worker process, the daemon's
 * defaults (AREA_REACTION_CONCURRENCY 4). Every event must be done with 3 + 10 + 1 successful
 * execution_logs rows (the for_each's own row included) and 13 requests at the sink.
 */
import { sql } from 'kysely'
import { openStore } from '../src/db/open.js'
import { insertHookLogs } from './bulk-seed.js'
import type { BenchEnvironment } from './environment.js'
import { type ServerProcess, startServer } from './ipc.js'
import { enqueueExecutionJobs, waitUntil } from './jobs.js'
import { seedWebhookArea } from './seed.js'
import type { Sink } from './sink.js'

const events = Number(process.env.BENCH_GRAPH_EVENTS ?? 2_000)
const items = 10
const sendsPerEvent = 3 + items
const timeoutMs = Number(process.env.BENCH_WORKER_TIMEOUT ?? 300) * 1000

export interface GraphFigure {
  events: number
  sendsPerEvent: number
  seconds: number
  eventsPerSec: number
  sendsPerSec: number
  done: number
  reactionSuccesses: number
  sinkRequests: number
  complete: boolean
}

/** `workerEnv`: the two-reaction figure's worker environment, with a prefix of this figure's own. */
export async function measureGraphThroughput(
  env: BenchEnvironment,
  sink: Sink,
  workerEnv: Record<string, string>,
  prefix: string,
): Promise<GraphFigure> {
  const store = await openStore({ databaseUrl: env.databaseUrl })
  let worker: ServerProcess | undefined
  try {
    const hook = await seedWebhookArea(env.databaseUrl, env.encryptionKey, sink.url, {
      name: 'bench-graph',
      email: 'graph@example.test',
      reactions: 4,
      body: { type: '{{ trigger.type }}' },
    })
    // The keys as the AREA file's normalizer stores them: post..post_3 at once, post_4 per item.
    await sql`update area.area_actions set condition = 'trigger.type == "invoice.paid"'
      where id = ${hook.areaActionId}`.execute(store.db)
    await sql`update area.area_reactions r set policy = case r.ref
        when 'post_4' then '{"needs": ["post", "post_2", "post_3"], "forEach": "trigger.items"}'::jsonb
        else '{"needs": []}'::jsonb end
      from area.area_actions aa where aa.id = ${hook.areaActionId} and r.area_id = aa.area_id`.execute(
      store.db,
    )
    await sql`update area.area_reaction_param_values v set value = '{"item": "{{ item }}", "index": "{{ index }}"}'::jsonb
      from area.area_reactions r, area.area_actions aa
      where aa.id = ${hook.areaActionId} and r.area_id = aa.area_id and r.ref = 'post_4'
        and v.area_reaction_id = r.id and v.name = 'body'`.execute(store.db)
    const payload = { type: 'invoice.paid', items: Array.from({ length: items }, (_, i) => `line-${i}`) }
    const ids = await insertHookLogs(env.databaseUrl, { hookJobId: hook.hookJobId, count: events, payload })
    await enqueueExecutionJobs(
      prefix,
      ids.map((hookLogId) => ({ hookLogId, areaActionId: hook.areaActionId })),
    )
    const arrivalsBefore = sink.arrivals.length
    worker = await startServer('./daemon-server.ts', workerEnv)
    const started = performance.now()
    worker.go()
    const processed = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from area.hook_logs
            where processed and hook_job_id = ${hook.hookJobId}`.execute(store.db)
        ).rows[0]?.n,
      )
    const done = await waitUntil(async () => (await processed()) >= events, { intervalMs: 100, timeoutMs })
    const elapsedMs = (done ?? performance.now()) - started
    await worker.stop()
    worker = undefined
    const { rows } = await sql<{ done: string; successes: string }>`select
        (select count(*) from area.hook_logs where status = 'done' and hook_job_id = ${hook.hookJobId}) as done,
        (select count(*) from area.execution_logs e join area.hook_logs h on h.id = e.hook_log_id
          where e.status = 'success' and h.hook_job_id = ${hook.hookJobId}) as successes`.execute(store.db)
    const checks = {
      done: Number(rows[0]?.done),
      reactionSuccesses: Number(rows[0]?.successes),
      sinkRequests: sink.arrivals.length - arrivalsBefore,
    }
    const eventsPerSec = Math.round((events / elapsedMs) * 1000)
    return {
      events,
      sendsPerEvent,
      seconds: Math.round(elapsedMs / 10) / 100,
      eventsPerSec,
      sendsPerSec: eventsPerSec * sendsPerEvent,
      ...checks,
      complete:
        done !== undefined &&
        checks.done === events &&
        checks.reactionSuccesses === events * (sendsPerEvent + 1) &&
        checks.sinkRequests === events * sendsPerEvent,
    }
  } finally {
    await worker?.stop()
    await store.close()
  }
}
