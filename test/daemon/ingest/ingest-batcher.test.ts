import { describe, expect, it } from 'vitest'
import {
  type AcceptedEvent,
  createIngestBatcher,
  type IngestBatcherOptions,
  type IngestEvent,
  IngestUnavailableError,
} from '../../../src/daemon/ingest/ingest-batcher.js'
import type { WebhookEventOutcome } from '../../../src/store/webhook-events.js'

/** hook_logs in memory: unique (hook, delivery), and writes that commit when the test says so. */
function fakeHookLogs() {
  const rows = new Map<string, string>()
  const gone = new Set<string>()
  const writes: { events: IngestEvent[]; commit(): void; fail(error: Error): void }[] = []
  const log: string[] = []
  const write: IngestBatcherOptions['write'] = (events) =>
    new Promise<WebhookEventOutcome[]>((resolve, reject) => {
      writes.push({
        events: [...events],
        commit() {
          log.push(`commit ${events.map((e) => e.deliveryId).join(',')}`)
          resolve(
            events.map((e): WebhookEventOutcome => {
              if (gone.has(e.hookJobId)) return { status: 'gone' }
              const key = `${e.hookJobId}/${e.deliveryId}`
              const existing = rows.get(key)
              if (existing) return { status: 'duplicate', hookLogId: existing }
              const id = `log-${rows.size + 1}`
              rows.set(key, id)
              return { status: 'accepted', hookLogId: id }
            }),
          )
        },
        fail: reject,
      })
    })
  /** Commits the oldest write the batcher started and not yet committed. */
  const next = async () => {
    await until(() => writes.length > 0)
    const first = writes.shift()!
    return first
  }
  return { rows, gone, writes, write, log, next }
}

/** Lets timers and promise callbacks run until `condition` holds (no wall-clock assertion). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve))
  if (!condition()) throw new Error('condition never became true')
}

const event = (deliveryId: string, hookJobId = 'hook-a'): IngestEvent => ({
  hookJobId,
  deliveryId,
  areaActionId: `action-of-${hookJobId}`,
  payloadJson: JSON.stringify({ n: deliveryId }),
  sizeBytes: 100,
})

function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false }
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  )
  return state
}

describe('ingest batcher', () => {
  it('commits concurrent events in one write and resolves each caller only after the commit', async () => {
    const store = fakeHookLogs()
    const accepted: AcceptedEvent[][] = []
    const batcher = createIngestBatcher({ write: store.write, onAccepted: (a) => accepted.push(a) })
    const calls = ['d1', 'd2', 'd3'].map((id) => track(batcher.submit(event(id))))
    const write = await store.next()
    expect(write.events.map((e) => e.deliveryId)).toEqual(['d1', 'd2', 'd3'])
    // Flushed, not yet committed: nobody may answer.
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(calls.map((c) => c.settled)).toEqual([false, false, false])
    write.commit()
    await until(() => calls.every((c) => c.settled))
    expect(calls.map((c) => c.value)).toEqual([
      { status: 'accepted', hookLogId: 'log-1' },
      { status: 'accepted', hookLogId: 'log-2' },
      { status: 'accepted', hookLogId: 'log-3' },
    ])
    expect(accepted).toEqual([
      [
        { hookLogId: 'log-1', areaActionId: 'action-of-hook-a' },
        { hookLogId: 'log-2', areaActionId: 'action-of-hook-a' },
        { hookLogId: 'log-3', areaActionId: 'action-of-hook-a' },
      ],
    ])
  })

  it('keeps submit order within and across batches, and splits at maxBatchRows', async () => {
    const store = fakeHookLogs()
    const batcher = createIngestBatcher({ write: store.write, maxBatchRows: 2, maxConcurrentBatches: 1 })
    const calls = ['a', 'b', 'c', 'd', 'e'].map((id) => batcher.submit(event(id)))
    for (let i = 0; i < 3; i++) (await store.next()).commit()
    const outcomes = await Promise.all(calls)
    expect(store.log).toEqual(['commit a,b', 'commit c,d', 'commit e'])
    expect(outcomes.map((o) => (o.status === 'accepted' ? o.hookLogId : o.status))).toEqual([
      'log-1',
      'log-2',
      'log-3',
      'log-4',
      'log-5',
    ])
  })

  it('lets events wait while maxConcurrentBatches are in flight, then sends them together', async () => {
    const store = fakeHookLogs()
    const batcher = createIngestBatcher({ write: store.write, maxConcurrentBatches: 1 })
    const first = batcher.submit(event('1'))
    const firstWrite = await store.next()
    const later = ['2', '3', '4'].map((id) => batcher.submit(event(id)))
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(store.writes).toHaveLength(0)
    expect(batcher.pending).toBe(3)
    firstWrite.commit()
    await first
    const secondWrite = await store.next()
    expect(secondWrite.events.map((e) => e.deliveryId)).toEqual(['2', '3', '4'])
    secondWrite.commit()
    await Promise.all(later)
  })

  it('fails a whole batch at once while the database is down, and only that batch', async () => {
    const store = fakeHookLogs()
    const batcher = createIngestBatcher({
      write: store.write,
      maxBatchRows: 2,
      maxConcurrentBatches: 2,
      isDatabaseDown: (error) => (error as Error).message === 'connection terminated',
    })
    const failing = [batcher.submit(event('x1')), batcher.submit(event('x2'))]
    const fine = batcher.submit(event('x3'))
    const [firstWrite, secondWrite] = [await store.next(), await store.next()]
    firstWrite.fail(new Error('connection terminated'))
    secondWrite.commit()
    for (const call of failing) await expect(call).rejects.toThrow('connection terminated')
    await expect(fine).resolves.toEqual({ status: 'accepted', hookLogId: 'log-1' })
    // Not split: one statement tried, not one per event.
    expect(store.writes).toHaveLength(0)
  })

  it('splits a failing batch until only the event at fault fails, with its own error', async () => {
    // Any error but a database outage may be one event's fault, whatever its kind.
    const poison = new RangeError('Maximum call stack size exceeded')
    const writes: string[][] = []
    const batcher = createIngestBatcher({
      isDatabaseDown: () => false,
      write: async (events) => {
        writes.push(events.map((e) => e.deliveryId))
        if (events.some((e) => e.deliveryId === 'bad')) throw poison
        return events.map((e) => ({ status: 'accepted', hookLogId: `id-${e.deliveryId}` }))
      },
    })
    const ids = ['ok1', 'ok2', 'ok3', 'bad', 'ok4', 'ok5', 'ok6', 'ok7']
    const outcomes = ids.map((id) => batcher.submit(event(id)).catch((error: unknown) => error))
    expect(await Promise.all(outcomes)).toEqual(
      ids.map((id) => (id === 'bad' ? poison : { status: 'accepted', hookLogId: `id-${id}` })),
    )
    // Halved, not one statement per event: 8 → 4+4 → 2+2 → 1+1.
    expect(writes).toEqual([
      ids,
      ['ok1', 'ok2', 'ok3', 'bad'],
      ['ok1', 'ok2'],
      ['ok3', 'bad'],
      ['ok3'],
      ['bad'],
      ['ok4', 'ok5', 'ok6', 'ok7'],
    ])
  })

  it('sends a delivery replayed within one batch once, and answers the replay as a duplicate', async () => {
    const store = fakeHookLogs()
    const accepted: AcceptedEvent[][] = []
    const batcher = createIngestBatcher({ write: store.write, onAccepted: (a) => accepted.push(a) })
    const calls = [
      batcher.submit(event('same')),
      batcher.submit(event('same')),
      batcher.submit(event('same', 'hook-b')),
    ]
    const write = await store.next()
    expect(write.events.map((e) => `${e.hookJobId}/${e.deliveryId}`)).toEqual(['hook-a/same', 'hook-b/same'])
    write.commit()
    expect(await Promise.all(calls)).toEqual([
      { status: 'accepted', hookLogId: 'log-1' },
      { status: 'duplicate', hookLogId: 'log-1' },
      { status: 'accepted', hookLogId: 'log-2' },
    ])
    expect(accepted.flat()).toHaveLength(2)
  })

  it('reports a delivery replayed in a later batch as a duplicate, and enqueues nothing for it', async () => {
    const store = fakeHookLogs()
    const accepted: AcceptedEvent[][] = []
    const batcher = createIngestBatcher({ write: store.write, onAccepted: (a) => accepted.push(a) })
    const first = batcher.submit(event('once'))
    ;(await store.next()).commit()
    await first
    const replay = batcher.submit(event('once'))
    ;(await store.next()).commit()
    expect(await replay).toEqual({ status: 'duplicate', hookLogId: 'log-1' })
    expect(accepted).toEqual([[{ hookLogId: 'log-1', areaActionId: 'action-of-hook-a' }]])
  })

  it('passes on a hook that went away, to the replays too', async () => {
    const store = fakeHookLogs()
    store.gone.add('hook-gone')
    const batcher = createIngestBatcher({ write: store.write })
    const calls = [batcher.submit(event('1', 'hook-gone')), batcher.submit(event('1', 'hook-gone'))]
    ;(await store.next()).commit()
    expect(await Promise.all(calls)).toEqual([{ status: 'gone' }, { status: 'gone' }])
  })

  it('refuses events beyond maxPendingEvents while the database is behind', async () => {
    const store = fakeHookLogs()
    const batcher = createIngestBatcher({ write: store.write, maxConcurrentBatches: 1, maxPendingEvents: 2 })
    const first = batcher.submit(event('1'))
    const write = await store.next()
    const queued = [batcher.submit(event('2')), batcher.submit(event('3'))]
    await expect(batcher.submit(event('4'))).rejects.toBeInstanceOf(IngestUnavailableError)
    write.commit()
    await first
    ;(await store.next()).commit()
    await Promise.all(queued)
  })

  it('drains what is pending and in flight on close, then refuses new events', async () => {
    const store = fakeHookLogs()
    const batcher = createIngestBatcher({ write: store.write, maxWaitMs: 60_000 })
    const call = track(batcher.submit(event('late')))
    const closed = track(batcher.close())
    // close() flushes at once rather than after maxWaitMs.
    const write = await store.next()
    expect(closed.settled).toBe(false)
    write.commit()
    await until(() => closed.settled)
    expect(call.value).toEqual({ status: 'accepted', hookLogId: 'log-1' })
    await expect(batcher.submit(event('after'))).rejects.toBeInstanceOf(IngestUnavailableError)
  })
})
