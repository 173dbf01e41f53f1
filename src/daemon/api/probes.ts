/**
 * Kubernetes-style probes, without authentication. `/healthz`: the process answers (no I/O, so a
 * slow database never gets a live process killed). `/readyz`: the database and the queue answer,
 * and the server is not shutting down; otherwise 503 naming what failed.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { errorMessage } from '../../engine/errors.js'
import type { DaemonContext } from '../context.js'

export interface ApiLifecycle {
  /** Set when a graceful close begins: readiness fails so load balancers stop sending traffic. */
  draining: boolean
}

export interface ProbeOptions {
  ctx: DaemonContext
  lifecycle: ApiLifecycle
  /** How long each readiness check may take (default 2 s). */
  checkTimeoutMs?: number
}

const CheckResult = Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('skipped')])
const ReadyAnswer = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable'), Type.Literal('draining')]),
  checks: Type.Object({ database: CheckResult, queue: CheckResult }),
})

export const probeRoutes: FastifyPluginAsyncTypebox<ProbeOptions> = async (
  app,
  { ctx, lifecycle, checkTimeoutMs },
) => {
  const timeoutMs = checkTimeoutMs ?? 2_000

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['probes'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: database and queue reachable, not shutting down',
        tags: ['probes'],
        security: [],
        response: { 200: ReadyAnswer, 503: ReadyAnswer },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      if (lifecycle.draining) {
        return reply.code(503).send({ status: 'draining', checks: { database: 'skipped', queue: 'skipped' } })
      }
      const check = async (name: string, probe: () => Promise<unknown>) => {
        try {
          await withTimeout(probe(), timeoutMs, `${name} did not answer within ${timeoutMs} ms`)
          return 'ok' as const
        } catch (error) {
          request.log.warn({ check: name, err: errorMessage(error) }, 'readiness check failed')
          return 'failed' as const
        }
      }
      const [database, queue] = await Promise.all([
        check('database', () => sql`select 1`.execute(ctx.store.db)),
        check('queue', () => ctx.queue.jobs.counts()),
      ])
      const ready = database === 'ok' && queue === 'ok'
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { database, queue } })
    },
  )

  app.get(
    '/metrics',
    {
      schema: { summary: 'Prometheus metrics of this process', tags: ['probes'], security: [], hide: true },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics()
      return reply.type(ctx.metrics.registry.contentType).send(text)
    },
  )
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
