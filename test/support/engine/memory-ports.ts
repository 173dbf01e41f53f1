/** In-memory implementations of the engine's ports, with the same semantics as the store's. */
import type { LoadedReaction } from '../../../src/engine/area.js'
import type { ErrorClass } from '../../../src/engine/errors.js'
import type { PollCommit, PollStatePort } from '../../../src/engine/poll.js'
import type { ExecutionPort, PreviousOutcome } from '../../../src/engine/run.js'
import type { JsonValue } from '../../../src/engine/types.js'

export interface MemoryOutcome extends PreviousOutcome {
  ref: string
  request: JsonValue | undefined
  error?: string
  errorClass?: ErrorClass
}

export function memoryExecutionPort(): ExecutionPort & { rows: Map<string, MemoryOutcome> } {
  const rows = new Map<string, MemoryOutcome>()
  return {
    rows,
    async previousOutcomes() {
      return new Map([...rows].map(([id, row]) => [id, { status: row.status, output: row.output }]))
    },
    async started(reaction: LoadedReaction, request) {
      rows.set(reaction.id, { ref: reaction.ref, status: 'running', request, output: undefined })
    },
    async succeeded(reaction, request, output) {
      rows.set(reaction.id, { ref: reaction.ref, status: 'success', request, output })
    },
    async failed(reaction, request, error, errorClass) {
      rows.set(reaction.id, {
        ref: reaction.ref,
        status: 'failed',
        request,
        output: undefined,
        error,
        errorClass,
      })
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
