/**
 * Claims of concurrent jobs share statements (statement-batcher.ts): an idle worker claims at
 * once; a busy one sends one statement for many events. A claim has no side effect until it
 * commits, so a failed statement fails each of its claims and nothing else.
 */

import { createStatementBatcher } from '../../db/statement-batcher.js'
import type { ClaimedHookLog } from '../../store/hook-logs.js'

export type ClaimMany = (hookLogIds: string[]) => Promise<Map<string, ClaimedHookLog>>

export interface ClaimBatcher {
  /** The claimed event, or undefined when it is finished or another worker holds it. */
  claim(hookLogId: string): Promise<ClaimedHookLog | undefined>
}

export const DEFAULT_MAX_CLAIMS = 100

export function createClaimBatcher(claimMany: ClaimMany, maxClaims = DEFAULT_MAX_CLAIMS): ClaimBatcher {
  const claim = createStatementBatcher<string, ClaimedHookLog | undefined>(async (batch) => {
    const claimed = await claimMany([...new Set(batch.map((pending) => pending.item))])
    for (const pending of batch) {
      // One event asked for twice in a batch (a duplicated delivery) is taken by one only.
      pending.resolve(claimed.get(pending.item))
      claimed.delete(pending.item)
    }
  }, maxClaims)
  return { claim }
}
