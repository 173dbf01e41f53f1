/**
 * Claims of concurrent jobs share statements: while one claim statement runs, the claims asked
 * meanwhile wait and go together in the next one. An idle worker claims at once; a busy one
 * sends one statement for many events (fewer round trips and commits per event). A claim has no
 * side effect until it commits, so a failed statement fails each of its claims and nothing else.
 */
import type { ClaimedHookLog } from '../../store/hook-logs.js'

export type ClaimMany = (hookLogIds: string[]) => Promise<Map<string, ClaimedHookLog>>

export interface ClaimBatcher {
  /** The claimed event, or undefined when it is finished or another worker holds it. */
  claim(hookLogId: string): Promise<ClaimedHookLog | undefined>
}

export const DEFAULT_MAX_CLAIMS = 100

export function createClaimBatcher(claimMany: ClaimMany, maxClaims = DEFAULT_MAX_CLAIMS): ClaimBatcher {
  type Waiting = {
    hookLogId: string
    resolve(claimed: ClaimedHookLog | undefined): void
    reject(error: unknown): void
  }
  let waiting: Waiting[] = []
  let running = false

  async function run(): Promise<void> {
    running = true
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, maxClaims)
        waiting = waiting.slice(batch.length)
        try {
          const claimed = await claimMany([...new Set(batch.map((w) => w.hookLogId))])
          for (const w of batch) {
            // One event asked for twice in a batch (a duplicated delivery) is taken by one only.
            const row = claimed.get(w.hookLogId)
            claimed.delete(w.hookLogId)
            w.resolve(row)
          }
        } catch (error) {
          for (const w of batch) w.reject(error)
        }
      }
    } finally {
      running = false
    }
  }

  return {
    claim(hookLogId) {
      return new Promise((resolve, reject) => {
        waiting.push({ hookLogId, resolve, reject })
        if (!running) void run()
      })
    },
  }
}
