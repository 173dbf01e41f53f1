/**
 * The lease a worker holds on the event it runs (docs/architecture.md, "Effectively-once
 * reactions"). It is renewed in the background, and checked before each reaction's side effect: a
 * worker whose event loop stalled past its lease (CPU starvation, a long GC) may have lost the
 * event to another worker, which is now running it, and must not send a reaction the other one will
 * send too.
 *
 * The claim's attempt number is the fencing token: a renewal only extends the lease of the
 * attempt that holds it, so a worker learns it was taken over instead of extending the new
 * holder's lease. The check costs no round trip while renewals arrive on time: the lease is
 * known to be held until the local time at which the last confirmed renewal was sent, plus the
 * lease (the database sets the expiry later than that, never earlier).
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { AreaError, errorMessage } from '../../engine/errors.js'
import type { Logger } from '../../engine/types.js'
import { renewHookLogClaim } from '../../store/hook-logs.js'

/** Another worker took the event over: this run stops before its next side effect. */
export class LeaseLostError extends AreaError {
  constructor() {
    super('lease_lost', 'another worker took this event over after its lease ran out; this run stops here')
  }
}

export interface EventLease {
  /** Resolves when the lease is held for a while yet; throws LeaseLostError when it was lost. */
  ensure(): Promise<void>
  readonly lost: boolean
  stop(): void
}

export interface LeaseDeps {
  db: Kysely<Database>
  leaseSeconds: number
  logger: Logger
}

/**
 * Holds the lease of `hookLogId`'s claim number `attempt`, taken no earlier than `claimedAt`
 * (performance.now() before the claim was sent).
 */
export function holdEventLease(
  deps: LeaseDeps,
  claim: { hookLogId: string; attempt: number; claimedAt: number },
): EventLease {
  const leaseMs = deps.leaseSeconds * 1000
  // Renewals every third of the lease keep two thirds ahead; a check finding less than a third
  // left means renewals stalled, and it renews (and so learns) before going on.
  const marginMs = leaseMs / 3
  let heldUntil = claim.claimedAt + leaseMs
  let lost = false
  let renewing: Promise<void> | undefined

  function renew(): Promise<void> {
    renewing ??= (async () => {
      const sentAt = performance.now()
      try {
        if (await renewHookLogClaim(deps.db, claim.hookLogId, deps.leaseSeconds, claim.attempt)) {
          heldUntil = Math.max(heldUntil, sentAt + leaseMs)
        } else {
          lost = true
        }
      } finally {
        renewing = undefined
      }
    })()
    return renewing
  }

  const timer = setInterval(() => {
    renew().catch((error: unknown) => {
      deps.logger.warn({ err: errorMessage(error) }, 'could not renew the event lease')
    })
  }, leaseMs / 3)

  return {
    async ensure() {
      // Twice at most: the renewal awaited first may be one sent before a stall, whose answer
      // says nothing of the time since (another worker may have claimed the event meanwhile);
      // if the lease is still short after it, a renewal sent now tells.
      for (let round = 0; round < 2 && !lost && performance.now() >= heldUntil - marginMs; round++) {
        await renew()
      }
      if (lost) throw new LeaseLostError()
    },
    get lost() {
      return lost
    },
    stop() {
      clearInterval(timer)
    },
  }
}
