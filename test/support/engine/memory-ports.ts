/** In-memory implementations of the engine's ports, with the same semantics as the store's. */
import type { LoadedReaction } from '../../../src/engine/area.js'
import type { ErrorClass } from '../../../src/engine/errors.js'
import type { PollCommit, PollStatePort } from '../../../src/engine/poll.js'
import { type ExecutionPort, outcomeKey, type PreviousOutcome } from '../../../src/engine/run.js'
import type { JsonValue } from '../../../src/engine/types.js'

export interface MemoryOutcome extends PreviousOutcome {
  ref: string
  request: JsonValue | undefined
  error?: string
  errorClass?: ErrorClass
}

/**
 * Rows by `outcomeKey` (the reaction's id, `<id>:<index>` for a for_each item); `order` lists
 * every write as `<key> <status>`, to check what ran when.
 */
export function memoryExecutionPort(): ExecutionPort & { rows: Map<string, MemoryOutcome>; order: string[] } {
  const rows = new Map<string, MemoryOutcome>()
  const order: string[] = []
  const set = (reaction: LoadedReaction, index: number | undefined, row: Omit<MemoryOutcome, 'ref'>) => {
    const key = outcomeKey(reaction.id, index)
    // As in the store: a success is final.
    if (rows.get(key)?.status === 'success') return
    rows.set(key, { ref: reaction.ref, ...row })
    order.push(`${key} ${row.status}`)
  }
  return {
    rows,
    order,
    async previousOutcomes() {
      return new Map([...rows].map(([id, row]) => [id, { status: row.status, output: row.output }]))
    },
    async started(reaction: LoadedReaction, request, index) {
      set(reaction, index, { status: 'running', request, output: undefined })
    },
    async succeeded(reaction, request, output, index) {
      set(reaction, index, { status: 'success', request, output })
    },
    async failed(reaction, request, error, errorClass, index) {
      set(reaction, index, { status: 'failed', request, output: undefined, error, errorClass })
    },
    async skipped(reaction, reason) {
      set(reaction, undefined, { status: 'skipped', request: undefined, output: undefined, error: reason })
    },
  }
}

export function memoryPollPort(): PollStatePort & {
  seen: Set<string>
  events: PollCommit['items']
  commits: number
} {
  const port = {
    seen: new Set<string>(),
    events: [] as PollCommit['items'],
    commits: 0,
    async commit(commit: PollCommit) {
      port.commits++
      const fresh = commit.items.filter((item) => !port.seen.has(item.key))
      for (const item of fresh) port.seen.add(item.key)
      if (commit.baseline) return { fired: [], pending: [] }
      port.events.push(...fresh)
      return {
        fired: fresh.map((item, i) => ({
          key: item.key,
          hookLogId: `log-${port.events.length - fresh.length + i}`,
        })),
        pending: [],
      }
    },
  }
  return port
}
