/**
 * Store records as the API shows them: ISO timestamps, camelCase, secrets opened only where the
 * owner asked for them. Each view matches its response schema in schemas/.
 */
import type { Static } from '@sinclair/typebox'
import type {
  AreaDetailsSchema,
  AreaSummarySchema,
  EventSummarySchema,
  TriggerStateSchema,
} from '../../contract/areas.js'
import type { TokenInfoSchema, UserSchema } from '../../contract/auth.js'
import { iso, isoOrNull } from '../../contract/common.js'
import type { EventLogSchema } from '../../contract/logs.js'
import type { SecretBox } from '../../secrets/secret-box.js'
import type { AreaDocument } from '../../spec/document.js'
import type { AreaDetails, AreaSummary, EventSummary } from '../../store/area-queries.js'
import type { EventEntry } from '../../store/logs.js'
import type { TokenInfo } from '../../store/tokens.js'
import type { User } from '../../store/users.js'

export function userView(user: User): Static<typeof UserSchema> {
  return { id: user.id, email: user.email, displayName: user.displayName, createdAt: iso(user.createdAt) }
}

export function tokenView(
  token: TokenInfo,
  currentTokenId: string | null,
  now = new Date(),
): Static<typeof TokenInfoSchema> {
  return {
    name: token.name,
    createdAt: iso(token.createdAt),
    expiresAt: isoOrNull(token.expiresAt),
    lastUsedAt: isoOrNull(token.lastUsedAt),
    expired: token.expiresAt !== null && token.expiresAt <= now,
    current: token.id === currentTokenId,
  }
}

function summaryFields(area: AreaSummary) {
  return {
    name: area.name,
    description: area.description,
    labels: area.labels,
    enabled: area.enabled,
    revision: area.revision,
    service: area.service,
    action: area.action,
    spec: area.spec as unknown as AreaDocument,
    createdAt: iso(area.createdAt),
    updatedAt: iso(area.updatedAt),
  }
}

export function areaSummaryView(area: AreaSummary): Static<typeof AreaSummarySchema> {
  return { ...summaryFields(area), trigger: { type: area.triggerType } }
}

export interface TriggerViewContext {
  publicUrl: string
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
  }
}

function triggerView(area: AreaDetails, context: TriggerViewContext): Static<typeof TriggerStateSchema> {
  const job = area.hookJob
  if (!job) return { type: area.triggerType }
  if (job.type === 'webhook') {
    return {
      type: 'webhook',
      status: job.status,
      webhookUrl: `${context.publicUrl}/webhooks/${area.service}/${job.id}`,
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
  }
}

export function eventSummaryView(event: EventSummary): Static<typeof EventSummarySchema> {
  return {
    id: event.id,
    status: event.status,
    deliveryId: event.deliveryId,
    detectedAt: iso(event.detectedAt),
    finishedAt: isoOrNull(event.finishedAt),
    attempts: event.attempts,
    error: event.error,
  }
}

export function eventLogView(event: EventEntry): Static<typeof EventLogSchema> {
  return {
    id: event.id,
    area: event.areaName,
    status: event.status,
    deliveryId: event.deliveryId,
    detectedAt: iso(event.detectedAt),
    finishedAt: isoOrNull(event.finishedAt),
    attempts: event.attempts,
    error: event.error,
    executions: event.executions.map((e) => ({
      ref: e.ref,
      status: e.status,
      attempt: e.attempt,
      startedAt: iso(e.startedAt),
      finishedAt: isoOrNull(e.finishedAt),
      errorText: e.errorText,
      errorClass: e.errorClass,
    })),
  }
}
