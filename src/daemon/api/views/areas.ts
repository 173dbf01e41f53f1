/**
 * AREAs as the API shows them (contract/areas.ts): ISO timestamps, camelCase, and for the owner
 * the webhook URL and signing secret of a webhook AREA.
 */
import type { Static } from '@sinclair/typebox'
import type {
  AreaDetailsSchema,
  AreaList,
  AreaSummarySchema,
  EventSummarySchema,
  ServerRetrySchema,
  TriggerStateSchema,
} from '../../../contract/areas.js'
import { iso, isoOrNull } from '../../../contract/common.js'
import { formatDuration } from '../../../engine/duration.js'
import type { SecretBox } from '../../../secrets/secret-box.js'
import type { AreaDocument } from '../../../spec/document.js'
import type { AreaDetails, AreaSummary, PollFailureState } from '../../../store/area-queries.js'
import type { EventSummary } from '../../../store/logs.js'
import type { RetrySettings } from '../../config-retry.js'
import { eventFields } from './logs.js'

function summaryFields(area: AreaSummary) {
  return {
    name: area.name,
    description: area.description,
    labels: area.labels,
    enabled: area.enabled,
    revision: area.revision,
    owner: area.owner,
    service: area.service,
    action: area.action,
    spec: area.spec as unknown as AreaDocument,
    createdAt: iso(area.createdAt),
    updatedAt: iso(area.updatedAt),
  }
}

export function areaSummaryView(area: AreaSummary): Static<typeof AreaSummarySchema> {
  const t = area.trigger
  const trigger: Static<typeof TriggerStateSchema> = { type: area.triggerType }
  if (t) {
    trigger.status = t.status
    trigger.lastRunAt = isoOrNull(t.lastRunAt)
    if (area.triggerType === 'polling') trigger.failure = failureView(t.failure)
  }
  return { ...summaryFields(area), trigger }
}

function failureView(failure: PollFailureState | undefined) {
  return failure ? { since: iso(failure.since), attempts: failure.attempts, error: failure.error } : null
}

export function areaPageView(page: {
  items: AreaSummary[]
  nextCursor: string | null
}): Static<typeof AreaList> {
  return { items: page.items.map(areaSummaryView), nextCursor: page.nextCursor }
}

/** Where webhooks are sent, and the box the signing secrets are sealed with (the daemon's context). */
export interface TriggerViewContext {
  config: { publicUrl: string; retry?: RetrySettings }
  secrets: SecretBox
}

/** The owner's view: a webhook AREA shows where to send events and the secret to sign them with. */
export function areaDetailsView(
  area: AreaDetails,
  context: TriggerViewContext,
): Static<typeof AreaDetailsSchema> {
  return {
    ...summaryFields(area),
    trigger: triggerView(area, context),
    recentEvents: area.recentEvents.map(eventSummaryView),
    ...(context.config.retry ? { retry: serverRetryView(context.config.retry) } : {}),
  }
}

function serverRetryView(retry: RetrySettings): Static<typeof ServerRetrySchema> {
  return {
    attempts: retry.attempts,
    maxAttempts: retry.maxAttempts,
    backoff: retry.backoff,
    delay: formatDuration(retry.baseDelayMs / 1000),
    maxDelay: formatDuration(retry.maxDelayMs / 1000),
  }
}

/** An answer carrying the AREA as it now stands (apply, enable, disable). */
export function withAreaView<T extends { area: AreaDetails }>(
  answer: T,
  context: TriggerViewContext,
): Omit<T, 'area'> & { area: Static<typeof AreaDetailsSchema> } {
  return { ...answer, area: areaDetailsView(answer.area, context) }
}

function triggerView(area: AreaDetails, context: TriggerViewContext): Static<typeof TriggerStateSchema> {
  const job = area.hookJob
  if (!job) return { type: area.triggerType }
  if (job.type === 'webhook') {
    return {
      type: 'webhook',
      status: job.status,
      webhookUrl: `${context.config.publicUrl}/webhooks/${area.service}/${job.id}`,
      secret: job.webhookSecretSealed ? context.secrets.open(job.webhookSecretSealed) : null,
    }
  }
  return {
    type: 'polling',
    status: job.status,
    intervalSeconds: job.intervalSeconds,
    schedule: job.schedule,
    nextRunAt: isoOrNull(job.nextRunAt),
    lastRunAt: isoOrNull(job.lastRunAt),
    failure: failureView(job.failure),
  }
}

export function eventSummaryView(event: EventSummary): Static<typeof EventSummarySchema> {
  return { id: event.id, ...eventFields(event) }
}
