/**
 * Flow control at the door of the execution job (docs/architecture.md, "Flow control"): before the
 * claim, an event of an AREA that declares `debounce`, `rate_limit` or `concurrency` passes each
 * in turn, or goes back to the queue as a delayed job for as long as it must wait (no attempt
 * spent, no worker slot held while it waits), or, replaced by a later event of its burst, is
 * recorded as skipped. An AREA without flow control costs one map lookup: no Redis, no query.
 */
import { createHash } from 'node:crypto'
import { errorMessage } from '../../engine/errors.js'
import { type CompiledExpression, compileExpression } from '../../engine/expression.js'
import type { FlowPolicy } from '../../engine/flow.js'
import { ReactionFailedError } from '../../engine/run.js'
import type { JsonValue, Logger } from '../../engine/types.js'
import type { AreaFlow, PendingEvent } from '../../store/area-flow.js'
import { type ExecutionJobData, JobDeferredError } from '../queue/types.js'
import type { FlowStore } from './flow-store.js'
import type { SlotLease } from './user-slots.js'

export type FlowWaitReason = 'concurrency' | 'rate_limit' | 'retry_after' | 'debounce'
export const FLOW_WAIT_REASONS: readonly FlowWaitReason[] = [
  'concurrency',
  'rate_limit',
  'retry_after',
  'debounce',
]

/** What the gate says about one event. */
export type FlowPass =
  | {
      kind: 'run'
      /** Frees the concurrency place, if one was taken. */
      release(): Promise<void>
      /** After a failed run: a target's Retry-After holds this AREA's (or connection's) starts. */
      failed(error: unknown): Promise<void>
    }
  | { kind: 'superseded'; reason: string }

export interface FlowGate {
  /** Undefined: the AREA declares no flow control (or is gone); throws JobDeferredError to wait. */
  enter(job: ExecutionJobData, attempt: number): Promise<FlowPass | undefined>
  /** Events this process sent back to wait whose wait has not run out, by reason. */
  waiting(): Record<FlowWaitReason, number>
}

export interface FlowGateDeps {
  store: FlowStore
  areaFlow(areaActionId: string): Promise<AreaFlow | undefined>
  pendingEvent(hookLogId: string): Promise<PendingEvent | undefined>
  logger: Logger
  /** Counts each wait, by reason (for /metrics). */
  onWait?: (reason: FlowWaitReason) => void
  /** How long an AREA's flow keys are trusted before read again (default 5 s). */
  policyTtlMs?: number
}

const AREAS_KEPT = 10_000
/** A waiting-for-a-place event looks again in 1 to 2 s, spread so they do not come back together. */
const placeDelayMs = () => 1_000 + Math.floor(Math.random() * 1_000)
/** The longest hold a Retry-After may put on an AREA's starts. */
const MAX_HOLD_MS = 60 * 60_000
/** A Redis failure defers the event this long: the limits must hold. */
const STORE_DOWN_DELAY_MS = 5_000

export function createFlowGate(deps: FlowGateDeps): FlowGate {
  const ttl = deps.policyTtlMs ?? 5_000
  const policies = new Map<string, { flow: AreaFlow | undefined; until: number }>()
  const book = new Map<string, { reason: FlowWaitReason; until: number }>()

  async function policyOf(areaActionId: string): Promise<AreaFlow | undefined> {
    const known = policies.get(areaActionId)
    if (known && known.until > Date.now()) return known.flow
    const flow = await deps.areaFlow(areaActionId)
    if (policies.size >= AREAS_KEPT) policies.delete(policies.keys().next().value as string)
    policies.set(areaActionId, { flow, until: Date.now() + ttl })
    return flow
  }

  const wait = (hookLogId: string, reason: FlowWaitReason, ms: number, message: string): never => {
    const delay = Math.max(1, Math.ceil(ms))
    book.set(hookLogId, { reason, until: Date.now() + delay })
    if (book.size > AREAS_KEPT) book.delete(book.keys().next().value as string)
    deps.onWait?.(reason)
    throw new JobDeferredError(message, delay)
  }

  async function enter(job: ExecutionJobData, attempt: number): Promise<FlowPass | undefined> {
    const area = await policyOf(job.areaActionId)
    const flow = area?.flow
    if (!area || !flow) return undefined
    book.delete(job.hookLogId)
    try {
      return await pass(job, attempt, area, flow)
    } catch (error) {
      if (error instanceof JobDeferredError) throw error
      deps.logger.warn(
        { err: errorMessage(error), hookLogId: job.hookLogId },
        'flow control could not decide',
      )
      throw new JobDeferredError(`flow control could not decide: ${errorMessage(error)}`, STORE_DOWN_DELAY_MS)
    }
  }

  async function pass(
    job: ExecutionJobData,
    attempt: number,
    area: AreaFlow,
    flow: FlowPolicy,
  ): Promise<FlowPass | undefined> {
    const needsEvent = flow.debounce !== undefined || flow.concurrency?.key !== undefined
    const pending = needsEvent ? await deps.pendingEvent(job.hookLogId) : undefined
    // Finished or gone: the claim says so and ends the job.
    if (needsEvent && !pending) return undefined
    const scopeOf = (kind: string, key: string | undefined) =>
      `area:${area.areaId}:${kind}${key === undefined ? '' : `:${keyOf(key, pending?.event ?? null, area.areaName)}`}`

    if (flow.debounce && pending) {
      const { waitMs, key } = flow.debounce
      const verdict = await deps.store.debounce(
        scopeOf('debounce', key),
        job.hookLogId,
        pending.arrivedUs,
        waitMs,
      )
      if (verdict.kind === 'superseded') {
        return { kind: 'superseded', reason: `debounced: a later event of the burst runs instead (debounce)` }
      }
      if (verdict.kind === 'wait') {
        wait(job.hookLogId, 'debounce', verdict.ms, 'debounce: the event waits for the end of its burst')
      }
    }

    const rate = flow.rateLimit
    const rateScope = rate
      ? rate.connection === undefined
        ? scopeOf('rate', undefined)
        : `user:${area.userId}:connection:${hash(rate.connection)}:rate`
      : undefined
    if (rate && rateScope) {
      const verdict = await deps.store.reserve(
        rateScope,
        `${job.hookLogId}:${attempt}`,
        rate.events,
        rate.perMs,
      )
      if (verdict.ms > 0) {
        wait(
          job.hookLogId,
          verdict.held ? 'retry_after' : 'rate_limit',
          verdict.ms,
          verdict.held
            ? 'rate_limit: the target asked to wait (Retry-After); the event starts after that'
            : `rate_limit: ${rate.events} events per ${rate.perMs / 1000}s; the event starts at its turn`,
        )
      }
    }

    let lease: SlotLease | undefined
    if (flow.concurrency) {
      const { limit, key } = flow.concurrency
      lease = await deps.store.acquire(scopeOf('concurrency', key), limit)
      if (!lease) {
        wait(
          job.hookLogId,
          'concurrency',
          placeDelayMs(),
          `concurrency: ${limit} event${limit === 1 ? '' : 's'} of this AREA already run${key ? ' for this key' : ''}; the event waits for a place`,
        )
      }
    }
    return {
      kind: 'run',
      release: async () => {
        await lease?.release()
      },
      failed: async (error) => {
        // Only a reaction's answer: not the queue's own waits (another worker holds the event).
        const cause = (error as { cause?: unknown } | undefined)?.cause
        const failure =
          error instanceof ReactionFailedError
            ? error
            : cause instanceof ReactionFailedError
              ? cause
              : undefined
        const retryAfterMs = failure?.retryAfterMs
        if (!rateScope || retryAfterMs === undefined || !(retryAfterMs > 0)) return
        await deps.store.hold(rateScope, Math.min(MAX_HOLD_MS, retryAfterMs)).catch((failure: unknown) => {
          deps.logger.warn({ err: errorMessage(failure) }, 'flow control could not hold for Retry-After')
        })
      },
    }
  }

  return {
    enter,
    waiting() {
      const now = Date.now()
      const counts = Object.fromEntries(FLOW_WAIT_REASONS.map((r) => [r, 0])) as Record<
        FlowWaitReason,
        number
      >
      for (const [id, entry] of book) {
        if (entry.until <= now) book.delete(id)
        else counts[entry.reason] += 1
      }
      return counts
    },
  }
}

const compiled = new Map<string, CompiledExpression>()

/**
 * The key of `event` under the CEL `source`, hashed (it names a Redis key). An event whose key
 * cannot be evaluated (a missing field) shares the key of the others that cannot: it is limited,
 * never failed for it.
 */
function keyOf(source: string, event: JsonValue, areaName: string): string {
  let expression = compiled.get(source)
  if (!expression) {
    expression = compileExpression(source, 'key')
    if (compiled.size >= AREAS_KEPT) compiled.delete(compiled.keys().next().value as string)
    compiled.set(source, expression)
  }
  let value: JsonValue
  try {
    value = expression.evaluate({ trigger: event, area: { name: areaName } })
  } catch {
    return 'none'
  }
  return hash(typeof value === 'string' ? `s:${value}` : `j:${JSON.stringify(value)}`)
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24)
