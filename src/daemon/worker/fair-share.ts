/**
 * Runs tasks with a fixed capacity shared fairly between keys (users): when a place frees up, the
 * next task comes from the key after the last one served (round robin), and no key holds more than
 * `perKey` places, so one user's heavy tasks never make another's wait behind all of them
 * (docs/architecture.md, "One tenant against the others").
 */
export interface FairShare {
  run<T>(key: string, task: () => Promise<T>): Promise<T>
  /** Tasks waiting for a place, all keys together. */
  readonly waiting: number
}

export function createFairShare(capacity: number, perKey = capacity): FairShare {
  // Insertion order is the round: a key served goes to the back.
  const pending = new Map<string, (() => void)[]>()
  const active = new Map<string, number>()
  let running = 0
  let waiting = 0

  function pump(): void {
    while (running < capacity) {
      let key: string | undefined
      for (const [candidate] of pending) {
        if ((active.get(candidate) ?? 0) < perKey) {
          key = candidate
          break
        }
      }
      if (key === undefined) return
      const queue = pending.get(key) ?? []
      const start = queue.shift()
      pending.delete(key)
      if (queue.length > 0) pending.set(key, queue)
      if (!start) continue
      running += 1
      waiting -= 1
      active.set(key, (active.get(key) ?? 0) + 1)
      start()
    }
  }

  async function run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      const queue = pending.get(key)
      if (queue) queue.push(resolve)
      else pending.set(key, [resolve])
      waiting += 1
      pump()
    })
    try {
      return await task()
    } finally {
      running -= 1
      const left = (active.get(key) ?? 1) - 1
      if (left > 0) active.set(key, left)
      else active.delete(key)
      pump()
    }
  }

  return {
    run,
    get waiting() {
      return waiting
    },
  }
}
