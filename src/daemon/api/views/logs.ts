/** Execution history as the API shows it (contract/logs.ts); also each line of the log stream. */
import type { Static } from '@sinclair/typebox'
import { iso, isoOrNull } from '../../../contract/common.js'
import type { EventDetailSchema, EventLogSchema, LogsAnswer } from '../../../contract/logs.js'
import { reactionAttempts } from '../../../engine/area.js'
import type { EventDetail } from '../../../store/event-detail.js'
import type { EventEntry, EventSummary, ExecutionEntry } from '../../../store/logs.js'
import { type RetrySettings, readRetrySettings } from '../../config-retry.js'

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

/** What the server's policy gives: AREA_RETRY_ATTEMPTS, and the ceiling of a reaction's own. */
export type AttemptLimits = Pick<RetrySettings, 'attempts' | 'maxAttempts'>

const DEFAULT_LIMITS: AttemptLimits = readRetrySettings({}, [])

/**
 * An event's attempts in all, as the worker decides them (execute-event.ts): the server's, unless
 * a reaction that has not succeeded sets its own (then the most of theirs). A replay counts on
 * from the attempts before it (docs/architecture.md, "Replay"); a poll failure records its own.
 */
function eventAttempts(event: EventEntry, limits: AttemptLimits): number {
  if (event.maxAttempts !== null) return event.maxAttempts
  const open = event.executions.filter((e) => e.status !== 'success' && e.status !== 'skipped')
  const own = open.some((e) => e.ownAttempts !== null)
  const attempts = own
    ? Math.max(...open.map((e) => reactionAttempts(e.ownAttempts, limits)))
    : limits.attempts
  return (event.replayedAtAttempt ?? 0) + attempts
}

/** An event's fields before its executions: what a log line and the event's detail share. */
function eventHead(event: EventEntry, limits: AttemptLimits) {
  return {
    id: event.id,
    area: event.areaName,
    kind: event.kind,
    ...eventFields(event),
    maxAttempts: eventAttempts(event, limits),
    ...(event.replays ? { replays: event.replays } : {}),
  }
}

export function eventLogView(
  event: EventEntry,
  limits: AttemptLimits = DEFAULT_LIMITS,
): Static<typeof EventLogSchema> {
  return {
    ...eventHead(event, limits),
    executions: event.executions.map((e) => executionView(e, event, limits)),
  }
}

function executionView(e: ExecutionEntry, event: EventEntry, limits: AttemptLimits) {
  return {
    ref: e.ref,
    item: e.item,
    status: e.status,
    attempt: e.attempt,
    maxAttempts: (event.replayedAtAttempt ?? 0) + reactionAttempts(e.ownAttempts, limits),
    startedAt: iso(e.startedAt),
    finishedAt: isoOrNull(e.finishedAt),
    errorText: e.errorText,
    errorClass: e.errorClass,
  }
}

export function eventDetailView(
  event: EventDetail,
  limits: AttemptLimits = DEFAULT_LIMITS,
): Static<typeof EventDetailSchema> {
  return {
    ...eventHead(event, limits),
    executions: event.executions.map((e) => ({
      ...executionView(e, event, limits),
      params: e.params,
      output: e.output,
    })),
    payload: event.payload,
  }
}

export function logPageView(
  page: { items: EventEntry[]; nextCursor: string | null },
  limits: AttemptLimits = DEFAULT_LIMITS,
): Static<typeof LogsAnswer> {
  return { items: page.items.map((event) => eventLogView(event, limits)), nextCursor: page.nextCursor }
}
