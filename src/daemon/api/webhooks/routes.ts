/**
 * `POST /webhooks/:service/:hookJobId`: the ingest route. The accept use case
 * (features/webhooks/accept.ts) does the work; this plugin hands it the exact bytes the sender
 * signed and turns its result into the answer. The accepted event is committed before the answer
 * (docs/architecture.md, "Invariants").
 */
import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify'
import { isDatabaseUnavailable } from '../../../db/unavailable.js'
import type { WebhookResponse } from '../../../engine/define.js'
import { errorMessage } from '../../../engine/errors.js'
import { inSpan, setSpanAttributes, type TraceAttributes, tracingEnabled } from '../../../engine/tracing.js'
import {
  type AcceptResult,
  createWebhookAccept,
  MAX_DELIVERY_ID_LENGTH,
} from '../../../features/webhooks/accept.js'
import type { DaemonContext } from '../../context.js'
import { IngestUnavailableError } from '../../ingest/ingest-batcher.js'
import { createWebhookIngest, type IngestSettings, type WebhookIngest } from '../../ingest/webhook-ingest.js'
import type { OutageLog } from '../../outage-log.js'
import { incomingPlacement } from '../../tracing/incoming.js'
import {
  DATABASE_RETRY_AFTER_SECONDS,
  databaseUnavailableDetail,
  type ProblemCode,
  problem,
} from '../problems.js'

export interface WebhookRoutesOptions {
  ctx: DaemonContext
  /** A pipeline built elsewhere (tests; an app that invalidates hooks on disable); else built from ctx. */
  ingest?: WebhookIngest
  settings?: Partial<IngestSettings>
  /** The API's record of database outages (app.ts), shared with the /v1 routes. */
  databaseOutage?: OutageLog
}

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
        ...(opts.databaseOutage ? { databaseOutage: opts.databaseOutage } : {}),
      },
      {
        rateLimitPerSecond: ctx.config.webhookRateLimit,
        rateLimitBurst: ctx.config.webhookRateBurst,
        ...opts.settings,
      },
    )
  const bodyLimit = ctx.config.webhookBodyLimitBytes
  const accept = createWebhookAccept(ctx, ingest, (reply: FastifyReply, result: AcceptResult) => {
    if (tracingEnabled()) setSpanAttributes(outcomeAttributes(result))
    return answer(reply, result)
  })
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
    if (isDatabaseUnavailable(error)) {
      // The hook lookup of a delivery whose hook is not cached needs the database.
      ingest.databaseOutage.failed(error)
      return databaseUnavailable(reply)
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
    (request, reply) => {
      if (!tracingEnabled()) return accept(request, reply)
      // docs/architecture.md, "Traces": the sender's own traceparent is continued or only linked.
      const from = incomingPlacement(
        request.headers.traceparent,
        ctx.config.tracing?.webhookParent ?? 'continue',
      )
      return inSpan(
        'POST /webhooks/:service/:hookJobId',
        {
          kind: 'server',
          ...from,
          attributes: {
            'http.request.method': 'POST',
            'http.route': '/webhooks/:service/:hookJobId',
            'area.service': request.params.service,
          },
        },
        async (span) => {
          const sent = await accept(request, reply)
          span.setAttributes({ 'http.response.status_code': reply.statusCode })
          return sent
        },
      )
    },
  )
}

/** What a span may say of an ingest's result: the outcome and the events' ids, not the payloads. */
function outcomeAttributes(result: AcceptResult): TraceAttributes {
  const ids = 'hookLogIds' in result ? result.hookLogIds : []
  return { 'area.outcome': result.outcome, 'area.event_id': ids[0], 'area.events': ids.length || undefined }
}

/** The answer to each result of the accept use case. */
function answer(reply: FastifyReply, result: AcceptResult): FastifyReply {
  switch (result.outcome) {
    case 'not_found':
      return sendProblem(reply, 'hook_not_found', 'no active webhook at this URL')
    case 'invalid_signature':
      return sendProblem(reply, 'invalid_signature', result.reason)
    case 'rate_limited':
      reply.header('retry-after', String(result.retryAfterSeconds))
      return sendProblem(
        reply,
        'too_many_requests',
        `too many deliveries to this hook; retry in ${result.retryAfterSeconds} s`,
      )
    case 'unreadable':
      return sendProblem(reply, result.body.code, result.body.detail)
    case 'nothing_to_record':
      return result.response ? sendResponse(reply, result.response) : reply.code(200).send({})
    case 'delivery_id_too_long':
      return sendProblem(
        reply,
        'bad_request',
        `the delivery id is longer than ${MAX_DELIVERY_ID_LENGTH} characters`,
      )
    case 'unstorable':
      return sendProblem(reply, 'bad_request', `the event cannot be stored: ${result.reason}`)
    case 'not_recorded':
      reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER))
      return sendProblem(reply, 'not_ready', 'the event could not be recorded; retry later')
    case 'database_unavailable':
      return databaseUnavailable(reply)
    case 'duplicate': {
      if (result.response) return sendResponse(reply, result.response)
      const ids = result.hookLogIds
      return reply
        .code(200)
        .send({ hookLogId: ids[0], duplicate: true, ...(ids.length > 1 ? { hookLogIds: ids } : {}) })
    }
    case 'accepted': {
      if (result.response) return sendResponse(reply, result.response)
      const ids = result.hookLogIds
      return reply.code(202).send({ hookLogId: ids[0], ...(ids.length > 1 ? { hookLogIds: ids } : {}) })
    }
  }
}

/** The answer a service chose: its text as is (with its headers), else its body as JSON. */
function sendResponse(reply: FastifyReply, response: WebhookResponse): FastifyReply {
  if (response.headers) reply.headers(response.headers)
  reply.code(response.status)
  return response.text === undefined ? reply.send(response.body ?? {}) : reply.send(response.text)
}

function databaseUnavailable(reply: FastifyReply): FastifyReply {
  reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
  return sendProblem(reply, 'database_unavailable', databaseUnavailableDetail)
}

/**
 * Answers here rather than by throwing to the API's error handler: the hot path stays cheap, and
 * these answers do not depend on which handler the app installs.
 */
function sendProblem(reply: FastifyReply, code: ProblemCode, detail: string): FastifyReply {
  const body = problem(code, detail)
  return reply.code(body.status).type('application/problem+json').send(JSON.stringify(body))
}
