/**
 * Commits webhook events to hook_logs in batches: events submitted by concurrent requests within
 * `maxWaitMs` (or until a batch is full) go to the database in one INSERT, on one pooled
 * connection, and each request's promise settles only once that INSERT has committed. So every
 * answer still follows a durable commit, at a fraction of the cost of one statement per request.
 *
 * Under load, batches grow by themselves: while `maxConcurrentBatches` are in flight, new events
 * wait and leave together with the next free slot. Replays of one delivery inside a collecting
 * batch share one row; across batches the database's unique key (hook, delivery id) decides.
 *
 * One bad event must not fail its neighbours (docs/architecture.md, "Bad input and quotas"): each
 * payload is serialised on its own before it is submitted, and a batch whose statement fails for
 * any reason but an unreachable database is split in halves and retried, down to single events,
 * so only the event at fault gets its error.
 */
import { AreaError } from '../../engine/errors.js'
import type { NewWebhookEvent, WebhookEventOutcome } from '../../store/webhook-events.js'

export interface IngestEvent extends NewWebhookEvent {
  /** Carried to the execution job enqueued after the commit. */
  areaActionId: string
  /** About the size of the payload's JSON, to bound the statement a batch makes. */
  sizeBytes: number
}

export interface AcceptedEvent {
  hookLogId: string
  areaActionId: string
  traceparent?: string
}

export interface IngestBatcherOptions {
  /** Commits distinct events in one statement; outcomes in input order. */
  write(events: readonly IngestEvent[]): Promise<WebhookEventOutcome[]>
  /** Called after each commit with the newly accepted events, in submit order. */
  onAccepted?(events: AcceptedEvent[]): void
  /**
   * Errors that fail every event alike (the database is unreachable): the batch fails whole.
   * Any other error may be one event's fault, so the batch is split to isolate it.
   */
  isDatabaseDown?(error: unknown): boolean
  maxBatchRows?: number
  maxBatchBytes?: number
  /** How long the first event of a batch waits for company; 0 waits for the end of this I/O turn. */
  maxWaitMs?: number
  maxConcurrentBatches?: number
  /** Events waiting for a batch beyond which submit refuses (the database is not keeping up). */
  maxPendingEvents?: number
}

export interface IngestBatcher {
  /** Resolves once the event is committed (or found to be a replay, or its hook gone). */
  submit(event: IngestEvent): Promise<WebhookEventOutcome>
  /** Flushes what is waiting and resolves when no batch is pending or in flight. */
  drain(): Promise<void>
  /** Refuses new events, then drains. */
  close(): Promise<void>
  readonly pending: number
  /** Counters since start, for benchmarks and metrics. */
  stats(): BatcherStats
}

export interface BatcherStats {
  batches: number
  events: number
  largestBatch: number
}

/** The ingest cannot take the event now (closing, or the database is behind): retry later. */
export class IngestUnavailableError extends AreaError {
  constructor(message: string) {
    super('ingest_unavailable', message)
  }
}

/**
 * One batch in flight, the next one collecting meanwhile (group commit): measured on a 2-core
 * machine, it cost Postgres and the API less per event than two or four concurrent batches,
 * since every commit pays a WAL flush, a round trip and foreign-key locks on the same parent rows
 * whatever its size. Under load batches grow by themselves; when idle an event waits `maxWaitMs`.
 */
export const DEFAULT_BATCH = {
  maxBatchRows: 256,
  maxBatchBytes: 4 * 1024 * 1024,
  maxWaitMs: 1,
  maxConcurrentBatches: 1,
  maxPendingEvents: 20_000,
} as const

interface Waiter {
  resolve(outcome: WebhookEventOutcome): void
  reject(error: unknown): void
}

interface Slot {
  event: IngestEvent
  key: string
  /** The first submitted the event; the others are replays of it from the same batch. */
  waiters: Waiter[]
}

export function createIngestBatcher(options: IngestBatcherOptions): IngestBatcher {
  const maxRows = options.maxBatchRows ?? DEFAULT_BATCH.maxBatchRows
  const maxBytes = options.maxBatchBytes ?? DEFAULT_BATCH.maxBatchBytes
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_BATCH.maxWaitMs
  const maxConcurrent = options.maxConcurrentBatches ?? DEFAULT_BATCH.maxConcurrentBatches
  const maxPending = options.maxPendingEvents ?? DEFAULT_BATCH.maxPendingEvents
  const isDatabaseDown = options.isDatabaseDown ?? (() => false)

  let queue: Slot[] = []
  let queueBytes = 0
  const queued = new Map<string, Slot>()
  let inFlight = 0
  let ready = false
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined
  let closed = false
  let idle: (() => void)[] = []
  const counters: BatcherStats = { batches: 0, events: 0, largestBatch: 0 }

  function schedule(): void {
    if (queue.length >= maxRows || queueBytes >= maxBytes) {
      ready = true
      pump()
    } else if (!ready && timer === undefined) {
      timer = maxWaitMs > 0 ? setTimeout(onTimer, maxWaitMs) : setImmediate(onTimer)
    }
  }

  function onTimer(): void {
    timer = undefined
    ready = true
    pump()
  }

  function cancelTimer(): void {
    if (timer === undefined) return
    clearTimeout(timer as NodeJS.Timeout)
    clearImmediate(timer as NodeJS.Immediate)
    timer = undefined
  }

  function pump(): void {
    while (ready && queue.length > 0 && inFlight < maxConcurrent) {
      inFlight += 1
      void run(takeBatch())
    }
    if (queue.length === 0) {
      ready = false
      cancelTimer()
    }
  }

  function takeBatch(): Slot[] {
    let count = 0
    let bytes = 0
    while (
      count < queue.length &&
      count < maxRows &&
      (count === 0 || bytes + queue[count]!.event.sizeBytes <= maxBytes)
    ) {
      bytes += queue[count]!.event.sizeBytes
      count += 1
    }
    const batch = queue.slice(0, count)
    queue = queue.slice(count)
    queueBytes -= bytes
    for (const slot of batch) queued.delete(slot.key)
    counters.batches += 1
    counters.events += batch.length
    counters.largestBatch = Math.max(counters.largestBatch, batch.length)
    return batch
  }

  async function run(batch: Slot[]): Promise<void> {
    try {
      await commitOrSplit(batch)
    } finally {
      inFlight -= 1
      pump()
      if (queue.length === 0 && inFlight === 0) {
        const waiting = idle
        idle = []
        for (const resolve of waiting) resolve()
      }
    }
  }

  /**
   * Halves a failing batch until the failure is pinned on single events: one bad event among n
   * costs about 2·log2(n) more statements, and every other event is committed.
   */
  async function commitOrSplit(batch: Slot[]): Promise<void> {
    try {
      await commit(batch)
    } catch (error) {
      if (batch.length === 1 || isDatabaseDown(error)) {
        fail(batch, error)
        return
      }
      const half = Math.ceil(batch.length / 2)
      await commitOrSplit(batch.slice(0, half))
      await commitOrSplit(batch.slice(half))
    }
  }

  async function commit(batch: Slot[]): Promise<void> {
    const outcomes = await options.write(batch.map((slot) => slot.event))
    if (outcomes.length !== batch.length) {
      throw new Error(`the hook log writer answered ${outcomes.length} outcomes for ${batch.length} events`)
    }
    const accepted: AcceptedEvent[] = []
    batch.forEach((slot, i) => {
      const outcome = outcomes[i]!
      const [first, ...replays] = slot.waiters
      first?.resolve(outcome)
      const replayed: WebhookEventOutcome =
        outcome.status === 'gone' ? outcome : { status: 'duplicate', hookLogId: outcome.hookLogId }
      for (const replay of replays) replay.resolve(replayed)
      if (outcome.status === 'accepted') {
        const { areaActionId, traceparent } = slot.event
        accepted.push(
          traceparent === undefined
            ? { hookLogId: outcome.hookLogId, areaActionId }
            : { hookLogId: outcome.hookLogId, areaActionId, traceparent },
        )
      }
    })
    if (accepted.length === 0) return
    try {
      options.onAccepted?.(accepted)
    } catch {
      // The events are committed and answered; the sweeper enqueues what this failed to.
    }
  }

  function fail(batch: Slot[], error: unknown): void {
    for (const slot of batch) for (const waiter of slot.waiters) waiter.reject(error)
  }

  function drain(): Promise<void> {
    if (queue.length === 0 && inFlight === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      idle.push(resolve)
      ready = true
      pump()
    })
  }

  return {
    submit(event) {
      if (closed) return Promise.reject(new IngestUnavailableError('the API is shutting down'))
      const key = `${event.hookJobId}\n${event.deliveryId}`
      return new Promise<WebhookEventOutcome>((resolve, reject) => {
        const same = queued.get(key)
        if (same !== undefined) {
          same.waiters.push({ resolve, reject })
          return
        }
        if (queue.length >= maxPending) {
          reject(new IngestUnavailableError('the database is not keeping up with incoming webhooks'))
          return
        }
        const slot: Slot = { event, key, waiters: [{ resolve, reject }] }
        queue.push(slot)
        queued.set(key, slot)
        queueBytes += event.sizeBytes
        schedule()
      })
    },
    drain,
    close() {
      closed = true
      return drain()
    },
    get pending() {
      return queue.length
    },
    stats: () => ({ ...counters }),
  }
}
