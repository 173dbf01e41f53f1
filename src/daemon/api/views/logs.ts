/** Execution history as the API shows it (contract/logs.ts); also each line of the log stream. */
import type { Static } from '@sinclair/typebox'
import { iso, isoOrNull } from '../../../contract/common.js'
import type { EventDetailSchema, EventLogSchema, LogsAnswer } from '../../../contract/logs.js'
import type { EventDetail } from '../../../store/event-detail.js'
import type { EventEntry, EventSummary, ExecutionEntry } from '../../../store/logs.js'
import { DEFAULT_RETRY } from '../../queue/retry.js'

/** An event's fields after its id, in the order its schemas list them. */
export function eventFields(event: EventSummary) {
  return {
    status: event.status,
    deliveryId: event.deliveryId,
    detectedAt: iso(event.detectedAt),
    finishedAt: isoOrNull(event.finishedAt),
    attempts: event.attempts,
    error: event.error,
  }
}

/**
 * `attempts`: the server's AREA_RETRY_ATTEMPTS, what an event gets unless a failing reaction's
 * own `retry.attempts` says otherwise (a poll failure records its own).
 */
export function eventLogView(
  event: EventEntry,
  attempts: number = DEFAULT_RETRY.attempts,
): Static<typeof EventLogSchema> {
  return {
    id: event.id,
    area: event.areaName,
    kind: event.kind,
    ...eventFields(event),
    // A replay gets the server's attempts again, counted on from the attempts before it
    // (docs/architecture.md, "Replay").
    maxAttempts: event.maxAttempts ?? (event.replayedAtAttempt ?? 0) + attempts,
    ...(event.replays ? { replays: event.replays } : {}),
    executions: event.executions.map(executionView),
  }
}

function executionView(e: ExecutionEntry) {
  return {
    ref: e.ref,
    item: e.item,
    status: e.status,
    attempt: e.attempt,
    startedAt: iso(e.startedAt),
    finishedAt: isoOrNull(e.finishedAt),
    errorText: e.errorText,
    errorClass: e.errorClass,
  }
}

export function eventDetailView(
  event: EventDetail,
  attempts: number = DEFAULT_RETRY.attempts,
): Static<typeof EventDetailSchema> {
  return {
    ...eventLogView({ ...event, executions: [] }, attempts),
    payload: event.payload,
    executions: event.executions.map((e) => ({ ...executionView(e), params: e.params, output: e.output })),
  }
}

export function logPageView(
  page: { items: EventEntry[]; nextCursor: string | null },
  attempts: number = DEFAULT_RETRY.attempts,
): Static<typeof LogsAnswer> {
  return { items: page.items.map((event) => eventLogView(event, attempts)), nextCursor: page.nextCursor }
}
