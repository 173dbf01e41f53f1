/**
 * Sharing statements between concurrent callers: what is asked while a statement runs waits and
 * goes with the others in the next one (at most `max` each), and an idle batcher runs at once.
 * A busy worker so sends one statement (one round trip, one commit) for many events, without
 * a timer that would delay an idle one. Used for the worker's claims and its outcome writes.
 */
export interface Pending<I, R> {
  item: I
  resolve(result: R): void
  reject(error: unknown): void
}

/**
 * `run` settles each pending of its batch; when it throws, those it left unsettled fail with
 * its error. Batches run one at a time, in the order they were asked.
 */
export function createStatementBatcher<I, R>(
  run: (batch: Pending<I, R>[]) => Promise<void>,
  max: number,
): (item: I) => Promise<R> {
  let waiting: Pending<I, R>[] = []
  let running = false

  async function drain(): Promise<void> {
    running = true
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, max)
        waiting = waiting.slice(batch.length)
        try {
          await run(batch)
        } catch (error) {
          // A promise settles once: this only reaches the pendings `run` had not settled.
          for (const pending of batch) pending.reject(error)
        }
      }
    } finally {
      running = false
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject })
      if (!running) void drain()
    })
}
