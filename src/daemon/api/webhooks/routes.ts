/**
 * `POST /webhooks/:service/:hookJobId`: the ingest hot path (DESIGN §1, §2.5, §6.1, §6.5, §7).
 * Look the hook up (cached), let its service verify the raw body, commit the event to hook_logs
 * (batched with concurrent requests), answer 202, and enqueue its execution after the answer's
 * commit. Redis being down never costs an accepted event: the row is committed before the answer
 * and the scheduler's sweeper enqueues what the API could not.
 *
 * Every way of naming no usable hook (unknown, disabled, not a webhook, another service, not a
 * UUID) gets the same 404, so the answer does not reveal which hooks exist.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify'
import type { WebhookContext } from '../../../engine/define.js'
import { errorMessage } from '../../../engine/errors.js'
import type { JsonObject } from '../../../engine/types.js'
import { isDataException, type WebhookEventOutcome } from '../../../store/webhook-events.js'
import type { DaemonContext } from '../../context.js'
import { IngestUnavailableError } from '../../ingest/ingest-batcher.js'
import { parseWebhookBody } from '../../ingest/webhook-body.js'
import { createWebhookIngest, type IngestSettings, type WebhookIngest } from '../../ingest/webhook-ingest.js'
import { type ProblemCode, problem } from '../problems.js'

export interface WebhookRoutesOptions {
  ctx: DaemonContext
  /** A pipeline built elsewhere (tests; an app that invalidates hooks on disable); else built from ctx. */
  ingest?: WebhookIngest
  settings?: Partial<IngestSettings>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_DELIVERY_ID_LENGTH = 256
const EMPTY = Buffer.alloc(0)
/** Seconds a sender should wait when the database cannot take events. */
const UNAVAILABLE_RETRY_AFTER = 5

export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (app, opts) => {
  const { ctx } = opts
  const ingest =
    opts.ingest ??
    createWebhookIngest(
      {
        db: ctx.store.db,
        secrets: ctx.secrets,
        enqueueExecutions: (jobs) => ctx.queue.jobs.enqueueExecutions(jobs),
        logger: ctx.logger,
      },
      {
        rateLimitPerSecond: ctx.config.webhookRateLimit,
        rateLimitBurst: ctx.config.webhookRateBurst,
        ...opts.settings,
      },
    )
  const bodyLimit = ctx.config.webhookBodyLimitBytes
  // Commits and enqueues in flight finish before the process lets go of the database and queue.
  app.addHook('onClose', () => ingest.close())

  // This plugin's scope only: every body arrives as the exact bytes the sender signed.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body))

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendProblem(
        reply,
        'payload_too_large',
        `the body is larger than the limit of ${bodyLimit} bytes`,
      )
    }
    if (error instanceof IngestUnavailableError) {
      reply.header('retry-after', '1')
      return sendProblem(reply, 'not_ready', `${error.message}; retry shortly`)
    }
    const status = error.statusCode ?? 500
    if (status === 415) return sendProblem(reply, 'unsupported_media_type', error.message)
    if (status < 500) return sendProblem(reply, 'bad_request', error.message)
    request.log.error({ err: errorMessage(error) }, 'webhook ingest failed')
    return sendProblem(reply, 'internal', 'the webhook could not be processed')
  })

  app.post<{ Params: { service: string; hookJobId: string } }>(
    '/webhooks/:service/:hookJobId',
    { bodyLimit },
    async (request, reply) => {
      const { service, hookJobId: rawId } = request.params
      const hookJobId = rawId.toLowerCase()
      const hook = UUID.test(hookJobId) ? await ingest.hooks.get(hookJobId) : undefined
      const action = hook?.service === service ? ctx.registry.action(hook.service, hook.action) : undefined
      if (hook === undefined || action?.webhook === undefined) return notFound(reply)

      const rawBody = Buffer.isBuffer(request.body) ? request.body : EMPTY
      const parsed = parseWebhookBody(request.headers['content-type'], rawBody)
      const context: WebhookContext<JsonObject> = {
        params: hook.params,
        auth: undefined,
        settings: ctx.engine.settingsFor(hook.service),
        logger: request.log,
        request: {
          headers: request.headers,
          rawBody,
          body: parsed.ok ? parsed.value : undefined,
          query: request.query as Record<string, string | string[] | undefined>,
        },
        secret: hook.secret,
        hookJobId,
        now: new Date(),
      }
      const handler = action.webhook
      // Signature before anything else about the body: an unsigned sender learns nothing more.
      const verdict = handler.verify(context)
      if (!verdict.ok) return sendProblem(reply, 'invalid_signature', verdict.reason)
      const rate = ingest.limiter.take(hookJobId)
      if (!rate.ok) {
        reply.header('retry-after', String(rate.retryAfterSeconds))
        return sendProblem(
          reply,
          'too_many_requests',
          `too many deliveries to this hook; retry in ${rate.retryAfterSeconds} s`,
        )
      }
      if (!parsed.ok) return sendProblem(reply, parsed.code, parsed.detail)

      const receipt = handler.receive(context)
      const { events } = receipt
      if (events.length === 0) {
        // Nothing to run (a ping): answered as the service says, nothing recorded.
        return reply.code(receipt.response?.status ?? 200).send(receipt.response?.body ?? {})
      }
      const deliveryId = receipt.deliveryId ?? randomUUID()
      if (deliveryId.length > MAX_DELIVERY_ID_LENGTH) {
        return sendProblem(
          reply,
          'bad_request',
          `the delivery id is longer than ${MAX_DELIVERY_ID_LENGTH} characters`,
        )
      }

      let outcomes: WebhookEventOutcome[]
      try {
        outcomes = await Promise.all(
          events.map((payload, i) =>
            ingest.batcher.submit({
              hookJobId,
              areaActionId: hook.areaActionId,
              // One delivery may carry several events; each needs its own dedup key.
              deliveryId: events.length === 1 ? deliveryId : `${deliveryId}#${i}`,
              payload,
              sizeBytes: rawBody.length,
            }),
          ),
        )
      } catch (error) {
        if (isDataException(error)) {
          return sendProblem(reply, 'bad_request', `the event cannot be stored: ${errorMessage(error)}`)
        }
        if (error instanceof IngestUnavailableError) throw error
        request.log.error(
          { err: errorMessage(error), hookJobId },
          'webhook ingest: could not record the event',
        )
        reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER))
        return sendProblem(reply, 'not_ready', 'the event could not be recorded; retry later')
      }

      if (outcomes.some((o) => o.status === 'gone')) {
        // Disabled or deleted since it was cached: stop trusting the cache for it.
        ingest.hooks.invalidate(hookJobId)
        return notFound(reply)
      }
      const ids = outcomes.map((o) => (o.status === 'gone' ? '' : o.hookLogId))
      const many = ids.length > 1 ? { hookLogIds: ids } : {}
      if (outcomes.every((o) => o.status === 'duplicate')) {
        return reply.code(200).send({ hookLogId: ids[0], duplicate: true, ...many })
      }
      if (receipt.response) return reply.code(receipt.response.status).send(receipt.response.body ?? {})
      return reply.code(202).send({ hookLogId: ids[0], ...many })
    },
  )
}

/**
 * Answers here rather than by throwing to the API's error handler: the hot path stays cheap, and
 * these answers do not depend on which handler the app installs.
 */
function sendProblem(reply: FastifyReply, code: ProblemCode, detail: string): FastifyReply {
  const body = problem(code, detail)
  return reply.code(body.status).type('application/problem+json').send(JSON.stringify(body))
}

function notFound(reply: FastifyReply): FastifyReply {
  return sendProblem(reply, 'hook_not_found', 'no active webhook at this URL')
}
