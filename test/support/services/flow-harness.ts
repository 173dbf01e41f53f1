/**
 * The real worker path for service tests, on the worker harness (daemon/worker-deps.ts): a
 * migrated store (PGlite or Postgres) with the built-in catalog synced, AREAs applied by name and
 * spec, connections stored sealed, polls run by pollHookJob, events executed by executeEvent, and
 * webhook deliveries posted to the real ingest route through Fastify's inject. Service base URLs
 * point at local fakes through `env`.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { webhookRoutes } from '../../../src/daemon/api/webhooks/routes.js'
import type { DaemonContext } from '../../../src/daemon/context.js'
import { createWebhookIngest, type WebhookIngest } from '../../../src/daemon/ingest/webhook-ingest.js'
import type { ExecutionJobData } from '../../../src/daemon/worker/deps.js'
import { executeEvent } from '../../../src/daemon/worker/execute-event.js'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { ReactionFailedError } from '../../../src/engine/run.js'
import type { JsonObject } from '../../../src/engine/types.js'
import { silentLogger } from '../../../src/engine/types.js'
import { attempt, openWorkerHarness } from '../daemon/worker-deps.js'
import type { Driver } from '../db/stores.js'

export interface AppliedArea {
  areaId: string
  areaActionId: string
  hookJobId: string
  /** The webhook secret, for webhook triggers. */
  secret: string | undefined
  nextRunAt: Date | null
}

export async function openFlow(driver: Driver, env: Record<string, string> = {}) {
  const worker = await openWorkerHarness(driver, { env })
  const { testStore, registry, engine, secrets, userId, enqueued } = worker
  const db = testStore.store.db
  const deps = worker.deps()
  let app: FastifyInstance | undefined
  let ingest: WebhookIngest | undefined

  const flow = {
    db,
    enqueued,
    async apply(name: string, spec: Record<string, unknown>): Promise<AppliedArea> {
      const applied = await worker.apply({ apiVersion: 'area/v1', kind: 'Area', metadata: { name }, spec })
      const row = await worker.hookJobOf(applied.id)
      return {
        areaId: applied.id,
        areaActionId: row.area_action_id,
        hookJobId: row.id,
        secret: row.webhook_secret_encrypted ? secrets.open(row.webhook_secret_encrypted) : undefined,
        nextRunAt: row.next_run_at,
      }
    },
    /** A connection as `area connections add` would store it: credentials sealed. */
    async addConnection(service: string, name: string, kind: string, credentials: JsonObject) {
      const { id: serviceId } = await db
        .selectFrom('services')
        .select('id')
        .where('key', '=', service)
        .executeTakeFirstOrThrow()
      await db
        .insertInto('user_services')
        .values({
          user_id: userId,
          service_id: serviceId,
          name,
          kind,
          credentials_encrypted: secrets.seal(JSON.stringify(credentials)),
        })
        .execute()
    },
    poll: (hookJobId: string, slotMs = Date.now()) => pollHookJob(deps, { hookJobId, slotMs }, attempt()),
    execute: (job: ExecutionJobData, n = 1) => executeEvent(deps, job, attempt(n)),
    /** Execution logs of one event, by reaction ref. */
    async executions(hookLogId: string) {
      return db
        .selectFrom('execution_logs')
        .select(['reaction_ref', 'status', 'error_class', 'error_text', 'response_payload'])
        .where('hook_log_id', '=', hookLogId)
        .orderBy('reaction_ref')
        .execute()
    },
    async hookLogs(hookJobId: string) {
      return db
        .selectFrom('hook_logs')
        .select(['id', 'delivery_id', 'event_payload', 'status', 'processed', 'error'])
        .where('hook_job_id', '=', hookJobId)
        .orderBy('created_at')
        .execute()
    },
    async hookState(hookJobId: string) {
      const row = await db
        .selectFrom('hook_jobs')
        .select('state')
        .where('id', '=', hookJobId)
        .executeTakeFirstOrThrow()
      return row.state as JsonObject | null
    },
    /** POSTs to `/webhooks/:service/:hookJobId` through the real route, then waits for its enqueue. */
    async deliver(service: string, hookJobId: string, headers: Record<string, string>, body: string) {
      if (!app) {
        // Only what the route and ingest read; the rest of a daemon is not needed here.
        const ctx = {
          config: { webhookBodyLimitBytes: 1024 * 1024 },
          store: testStore.store,
          registry,
          engine,
          secrets,
          queue: { kind: 'memory', jobs: { enqueueExecutions: deps.enqueueExecutions } },
          logger: silentLogger,
        } as unknown as DaemonContext
        ingest = createWebhookIngest({
          db,
          secrets,
          enqueueExecutions: deps.enqueueExecutions,
          logger: silentLogger,
        })
        app = Fastify({ logger: false })
        await app.register(webhookRoutes, { ctx, ingest })
        await app.ready()
      }
      const response = await app.inject({
        method: 'POST',
        url: `/webhooks/${service}/${hookJobId}`,
        headers,
        payload: body,
      })
      await ingest?.drain()
      return response
    },
    async dispose() {
      await app?.close()
      await worker.dispose()
    },
  }
  return flow
}

export type Flow = Awaited<ReturnType<typeof openFlow>>

/** A timer trigger that fires on its first poll: the way to run reactions through the worker. */
export function everyMinute(): JsonObject {
  return { service: 'timer', action: 'every', params: { interval: '1m' } }
}

/** Fires a timer AREA once and returns its execution job. */
export async function fireOnce(flow: Flow, area: AppliedArea): Promise<ExecutionJobData> {
  const before = flow.enqueued.length
  const outcome = await flow.poll(area.hookJobId, area.nextRunAt?.getTime() ?? Date.now())
  if (outcome.status !== 'polled' || outcome.fired !== 1 || flow.enqueued.length !== before + 1) {
    throw new Error(`the timer did not fire: ${JSON.stringify(outcome)}`)
  }
  return flow.enqueued.at(-1) as ExecutionJobData
}

/** The ReactionFailedError a run ends with; the test fails if it ends any other way. */
export async function failure(promise: Promise<unknown>): Promise<ReactionFailedError> {
  const error = await promise.catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ReactionFailedError)
  return error as ReactionFailedError
}
