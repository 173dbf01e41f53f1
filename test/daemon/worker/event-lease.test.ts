/**
 * The lease check after a stall: the renewal it waits for may have been sent before the stall,
 * and its success says nothing of the time since. The check must then ask again, and learn the
 * event was taken over, rather than run the next reaction.
 */
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Database } from '../../../src/db/schema.js'
import { silentLogger } from '../../../src/engine/types.js'

const renewals: { resolve: (held: boolean) => void }[] = []
vi.mock('../../../src/store/hook-logs.js', () => ({
  renewHookLogClaim: () =>
    new Promise<boolean>((resolve) => {
      renewals.push({ resolve })
    }),
}))

const { holdEventLease, LeaseLostError } = await import('../../../src/daemon/worker/event-lease.js')

describe('the event lease', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] })
    renewals.length = 0
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('asks again when the renewal it waited for was sent before a stall', async () => {
    const lease = holdEventLease(
      { db: {} as Kysely<Database>, leaseSeconds: 1, logger: silentLogger },
      { hookLogId: 'h1', attempt: 1, claimedAt: performance.now() },
    )
    // The background renewal goes out on time…
    vi.advanceTimersByTime(334)
    expect(renewals).toHaveLength(1)
    // …then the event loop stalls past the lease (its answer is not read meanwhile).
    vi.advanceTimersByTime(1_200)
    const check = lease.ensure()
    // The database had renewed it before another worker took the event over.
    renewals[0]?.resolve(true)
    await vi.waitFor(() => expect(renewals).toHaveLength(2))
    // Asked now, the fenced renewal finds the claim taken over.
    renewals[1]?.resolve(false)
    await expect(check).rejects.toBeInstanceOf(LeaseLostError)
    expect(lease.lost).toBe(true)
    lease.stop()
  })

  it('goes on without a round trip while renewals arrive on time', async () => {
    const lease = holdEventLease(
      { db: {} as Kysely<Database>, leaseSeconds: 3, logger: silentLogger },
      { hookLogId: 'h1', attempt: 1, claimedAt: performance.now() },
    )
    vi.advanceTimersByTime(1_001)
    renewals[0]?.resolve(true)
    await vi.waitFor(() => expect(lease.ensure()).resolves.toBeUndefined())
    expect(renewals).toHaveLength(1)
    lease.stop()
  })
})
