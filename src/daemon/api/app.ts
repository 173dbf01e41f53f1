/**
 * The API as a Fastify instance, built from plugins and not listening (server.ts listens), so
 * tests drive it through `app.inject`. Layout: probes and `/openapi.json` at the root, `/v1` with
 * signup and login open, and every other `/v1` route behind the bearer-token hook.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { DaemonContext } from '../context.js'
import { createOutageLog } from '../outage-log.js'
import { registerAuditOrigin } from './plugins/audit-origin.js'
import { authenticate, decorateAuth } from './plugins/auth.js'
import { registerIdentity } from './plugins/identity.js'
import { registerInputGuard } from './plugins/input-guard.js'
import { registerOpenApi } from './plugins/openapi.js'
import { registerProblemHandling } from './plugins/problem.js'
import { ApiLogController } from './plugins/request-log.js'
import { registerValidation } from './plugins/validation.js'
import { type ApiLifecycle, probeRoutes } from './probes.js'
import { revisionRoutes } from './v1/areas/revisions.js'
import { areaRoutes } from './v1/areas/routes.js'
import { areaStateRoutes } from './v1/areas/state.js'
import { auditRoutes } from './v1/audit/routes.js'
import { publicAuthRoutes, sessionRoutes } from './v1/auth/routes.js'
import { connectionCallbackRoutes } from './v1/connections/callback.js'
import { connectionRoutes } from './v1/connections/routes.js'
import { replayRoutes } from './v1/events/replay.js'
import { eventRoutes } from './v1/events/routes.js'
import { logRoutes } from './v1/logs/routes.js'
import { secretRoutes } from './v1/secrets/routes.js'
import { serviceRoutes } from './v1/services/routes.js'
import { statusRoutes } from './v1/status/routes.js'
import { tokenRoutes } from './v1/tokens/routes.js'
import { webhookRoutes } from './webhooks/routes.js'

export type { ApiLifecycle } from './probes.js'

export type AreaApp = FastifyInstance

export interface BuildAppOptions {
  /** Shared with server.ts: `/readyz` answers 503 once `draining` is set. */
  lifecycle?: ApiLifecycle
  /** Body limit of the API routes, in bytes (default 1 MiB; webhooks have their own). */
  bodyLimit?: number
  /** `last_used_at` of a token is written at most this often (default 60 s). */
  tokenTouchIntervalSeconds?: number
  /** Log stream polling and heartbeat periods (defaults 500 ms and 15 s). */
  streamPollMs?: number
  streamHeartbeatMs?: number
}

export async function buildApp(ctx: DaemonContext, options: BuildAppOptions = {}): Promise<AreaApp> {
  const lifecycle = options.lifecycle ?? { draining: false }
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new ApiLogController(),
    genReqId: requestId,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // X-Forwarded-For only from trusted proxies (AREA_TRUST_PROXY); else request.ip is the peer.
    // A hop count is accepted at run time (proxy-addr) though the type omits it.
    trustProxy: ctx.config.signin.trustProxy as boolean | string,
  }).withTypeProvider<TypeBoxTypeProvider>()

  // One record of database outages for every route: one warn line per outage, one on recovery.
  const databaseOutage = createOutageLog(ctx.logger, {
    dependency: 'postgres',
    component: 'api',
    counting: 'requests refused',
  })
  registerIdentity(app)
  registerValidation(app)
  registerProblemHandling(app, databaseOutage)
  decorateAuth(app)
  registerAuditOrigin(app)
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onResponse', async (request, reply) => {
    // Every /v1 success read or wrote the database (the bearer check does, at least).
    if (databaseOutage.down && reply.statusCode < 400 && request.routeOptions.url?.startsWith('/v1/'))
      databaseOutage.succeeded()
    if (!request.routeOptions.url?.startsWith('/webhooks/')) return
    const status = String(reply.statusCode)
    ctx.metrics.webhookRequests.inc({ status })
    ctx.metrics.webhookDuration.observe({ status }, reply.elapsedTime / 1000)
  })

  await registerOpenApi(app)
  await app.register(probeRoutes, { ctx, lifecycle })
  await app.register(webhookRoutes, { ctx, databaseOutage })
  await app.register(
    async (v1) => {
      // The API speaks JSON only: a text body is refused (415) rather than parsed as a string.
      v1.removeContentTypeParser('text/plain')
      registerInputGuard(v1)
      await v1.register(publicAuthRoutes, { ctx })
      // The provider sends the browser here without a bearer token: the OAuth state authenticates.
      await v1.register(connectionCallbackRoutes, { ctx })
      await v1.register(async (secured) => {
        secured.addHook(
          'onRequest',
          authenticate(ctx, { touchIntervalSeconds: options.tokenTouchIntervalSeconds }),
        )
        await secured.register(sessionRoutes, { ctx })
        await secured.register(tokenRoutes, { ctx })
        await secured.register(serviceRoutes, { ctx })
        await secured.register(areaRoutes, { ctx })
        await secured.register(areaStateRoutes, { ctx })
        await secured.register(statusRoutes, { ctx })
        await secured.register(connectionRoutes, { ctx })
        await secured.register(secretRoutes, { ctx })
        await secured.register(eventRoutes, { ctx })
        await secured.register(replayRoutes, { ctx })
        await secured.register(auditRoutes, { ctx })
        await secured.register(revisionRoutes, { ctx })
        await secured.register(logRoutes, {
          ctx,
          streamPollMs: options.streamPollMs,
          streamHeartbeatMs: options.streamHeartbeatMs,
        })
      })
    },
    { prefix: '/v1' },
  )
  return app as unknown as AreaApp
}

const safeRequestId = /^[A-Za-z0-9._:-]{1,128}$/

/** A caller's (or proxy's) X-Request-Id is kept for tracing when it is sane; otherwise a UUID. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && safeRequestId.test(given) ? given : randomUUID()
}
