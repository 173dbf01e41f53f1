/**
 * Accepting one webhook delivery, the ingest hot path (docs/architecture.md, "The path of one
 * event"): look the hook up (cached), let its service verify the raw body, apply the per-hook
 * rate limit, parse the body, let the service say which events it carries, and commit them to
 * hook_logs, batched with concurrent deliveries. Their executions are enqueued after the commit;
 * Redis being down never costs an accepted event, as the scheduler's sweeper enqueues what could
 * not be (docs/architecture.md, "Postgres is the outbox").
 *
 * Every way of naming no usable hook (unknown, disabled, not a webhook, another service, not a
 * UUID) is the same `not_found`, so the answer does not reveal which hooks exist.
 */
import { randomUUID } from 'node:crypto'
import { IngestUnavailableError } from '../../daemon/ingest/ingest-batcher.js'
import type { WebhookIngest } from '../../daemon/ingest/webhook-ingest.js'
import { isDatabaseUnavailable } from '../../db/unavailable.js'
import type { WebhookContext, WebhookReceipt } from '../../engine/define.js'
import { errorMessage } from '../../engine/errors.js'
import { serializeForStorage } from '../../engine/json-limits.js'
import { currentTraceparent } from '../../engine/tracing.js'
import type { JsonObject, Logger } from '../../engine/types.js'
import { isDataException, type WebhookEventOutcome } from '../../store/webhook-events.js'
import type { FeatureContext } from '../context.js'
import { type ParsedBody, parseWebhookBody } from './body.js'

/** One delivery as received; a Fastify request is one as it is. */
export interface WebhookDelivery {
  params: { service: string; hookJobId: string }
  headers: Readonly<Record<string, string | string[] | undefined>>
  /** The exact bytes sent (a Buffer; anything else is an empty body). */
  body: unknown
  query: unknown
  /** The path and query string as requested (Fastify's `request.url`). */
  url?: string
  log: Logger
}

export const MAX_DELIVERY_ID_LENGTH = 256

export type AcceptResult =
  | { outcome: 'not_found' }
  | { outcome: 'invalid_signature'; reason: string }
  | { outcome: 'rate_limited'; retryAfterSeconds: number }
  | { outcome: 'unreadable'; body: Extract<ParsedBody, { ok: false }> }
  /** Nothing to record (a ping): answered as the service says. */
  | { outcome: 'nothing_to_record'; response: WebhookReceipt['response'] }
  | { outcome: 'delivery_id_too_long' }
  /** The database refused the payload (e.g. a `\u0000` jsonb cannot hold). */
  | { outcome: 'unstorable'; reason: string }
  /** The commit failed: nothing is recorded, the sender should retry later. */
  | { outcome: 'not_recorded' }
  /** The database cannot be reached (a restart, a failover): nothing is recorded, retry later. */
  | { outcome: 'database_unavailable' }
  /** Every event was recorded before: a replay (answered as the first was, when the service says). */
  | { outcome: 'duplicate'; hookLogIds: string[]; response: WebhookReceipt['response'] }
  | { outcome: 'accepted'; hookLogIds: string[]; response: WebhookReceipt['response'] }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const EMPTY = Buffer.alloc(0)
const NOT_FOUND: AcceptResult = { outcome: 'not_found' }

/**
 * The accept use case of one ingest pipeline. Its result goes to `answer` (the route's mapping to
 * its reply, given `target`, the reply) rather than back to an awaiting route, so a delivery costs
 * no more awaits than the two it needs: the hook lookup and the commit. A failure the ingest
 * cannot take now (IngestUnavailableError) is thrown, for the route's error handler. A database
 * outage is counted by the ingest's outage log (one line per outage), not logged per delivery.
 */
export function createWebhookAccept<T, R>(
  ctx: Pick<FeatureContext, 'registry' | 'engine'> & { config?: Pick<FeatureContext['config'], 'publicUrl'> },
  ingest: Pick<WebhookIngest, 'hooks' | 'limiter' | 'batcher'> &
    Partial<Pick<WebhookIngest, 'databaseOutage'>>,
  answer: (target: T, result: AcceptResult) => R,
): (delivery: WebhookDelivery, target: T) => Promise<R> {
  const { registry, engine } = ctx
  return async (delivery, target) => {
    const { service, hookJobId: rawId } = delivery.params
    const hookJobId = rawId.toLowerCase()
    const hook = UUID.test(hookJobId) ? await ingest.hooks.get(hookJobId) : undefined
    const action = hook?.service === service ? registry.action(hook.service, hook.action) : undefined
    if (hook === undefined || action?.webhook === undefined) return answer(target, NOT_FOUND)

    const rawBody = Buffer.isBuffer(delivery.body) ? delivery.body : EMPTY
    const parsed = parseWebhookBody(delivery.headers['content-type'] as string | undefined, rawBody)
    const context: WebhookContext<JsonObject> = {
      params: hook.params,
      auth: undefined,
      settings: engine.settingsFor(hook.service),
      logger: delivery.log,
      request: {
        headers: delivery.headers,
        rawBody,
        body: parsed.ok ? parsed.value : undefined,
        query: delivery.query as Record<string, string | string[] | undefined>,
        ...(ctx.config && delivery.url !== undefined
          ? { url: `${ctx.config.publicUrl}${delivery.url}` }
          : {}),
      },
      secret: hook.secret,
      hookJobId,
      now: new Date(),
    }
    const handler = action.webhook
    // Signature before anything else about the body: an unsigned sender learns nothing more.
    const verdict = handler.verify(context)
    if (!verdict.ok) return answer(target, { outcome: 'invalid_signature', reason: verdict.reason })
    const rate = ingest.limiter.take(hookJobId)
    if (!rate.ok)
      return answer(target, { outcome: 'rate_limited', retryAfterSeconds: rate.retryAfterSeconds })
    if (!parsed.ok) return answer(target, { outcome: 'unreadable', body: parsed })

    const receipt = handler.receive(context)
    const { events } = receipt
    if (events.length === 0)
      return answer(target, { outcome: 'nothing_to_record', response: receipt.response })
    const deliveryId = receipt.deliveryId ?? randomUUID()
    if (deliveryId.length > MAX_DELIVERY_ID_LENGTH) return answer(target, { outcome: 'delivery_id_too_long' })

    // Each event is serialised here, on its own: one that cannot be stored fails this delivery
    // alone, before it could share a statement with other senders' events.
    const payloads: string[] = []
    for (const payload of events) {
      const serialized = serializeForStorage(payload)
      if (!serialized.ok) return answer(target, { outcome: 'unstorable', reason: serialized.reason })
      payloads.push(serialized.json)
    }

    // The ingest request's span, for the execution jobs to continue (docs/architecture.md, "Traces").
    const traceparent = currentTraceparent()
    let outcomes: WebhookEventOutcome[]
    try {
      outcomes = await Promise.all(
        payloads.map((payloadJson, i) =>
          ingest.batcher.submit({
            hookJobId,
            areaActionId: hook.areaActionId,
            // One delivery may carry several events; each needs its own dedup key.
            deliveryId: events.length === 1 ? deliveryId : `${deliveryId}#${i}`,
            payloadJson,
            sizeBytes: payloadJson.length,
            ...(traceparent === undefined ? {} : { traceparent }),
          }),
        ),
      )
    } catch (error) {
      if (isDataException(error))
        return answer(target, { outcome: 'unstorable', reason: errorMessage(error) })
      if (error instanceof IngestUnavailableError) throw error
      if (isDatabaseUnavailable(error)) {
        ingest.databaseOutage?.failed(error)
        return answer(target, { outcome: 'database_unavailable' })
      }
      delivery.log.error(
        { err: errorMessage(error), hookJobId },
        'webhook ingest: could not record the event',
      )
      return answer(target, { outcome: 'not_recorded' })
    }

    ingest.databaseOutage?.succeeded()
    if (outcomes.some((o) => o.status === 'gone')) {
      // Disabled or deleted since it was cached: stop trusting the cache for it.
      ingest.hooks.invalidate(hookJobId)
      return answer(target, NOT_FOUND)
    }
    const hookLogIds = outcomes.map((o) => (o.status === 'gone' ? '' : o.hookLogId))
    if (outcomes.every((o) => o.status === 'duplicate'))
      return answer(target, { outcome: 'duplicate', hookLogIds, response: receipt.response })
    return answer(target, { outcome: 'accepted', hookLogIds, response: receipt.response })
  }
}
