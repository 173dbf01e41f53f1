/**
 * The door of the execution job: an event runs only on one of its user's slots (user-slots.ts);
 * when they are all taken it goes back to the queue for a second or two, not failed and not
 * counted as an attempt, and the worker's slot goes to somebody else's event (docs/architecture.md,
 * "One tenant against the others").
 */
import { JobDeferredError } from '../queue/types.js'
import type { SlotLease, UserSlots } from './user-slots.js'

export interface UserGate {
  /** The slot lease for the event of `areaActionId`; throws JobDeferredError when there is none. */
  enter(areaActionId: string): Promise<SlotLease | undefined>
}

const OWNERS_KEPT = 10_000
/** Back in 1 to 2 s: soon enough for the user's own backlog, spread so the retries do not bunch. */
const deferMs = () => 1_000 + Math.floor(Math.random() * 1_000)

export function createUserGate(
  slots: UserSlots,
  ownerOf: (areaActionId: string) => Promise<string | undefined>,
): UserGate {
  // An AREA's owner never changes: remember it rather than ask for every event.
  const owners = new Map<string, string>()
  return {
    async enter(areaActionId) {
      let owner = owners.get(areaActionId)
      if (owner === undefined) {
        owner = await ownerOf(areaActionId)
        // A deleted AREA has no owner: the run finds it gone and skips the event.
        if (owner === undefined) return undefined
        if (owners.size >= OWNERS_KEPT) owners.delete(owners.keys().next().value as string)
        owners.set(areaActionId, owner)
      }
      const lease = await slots.acquire(owner)
      if (!lease) {
        throw new JobDeferredError(
          `this user already runs ${slots.limit} events (AREA_USER_CONCURRENCY); the event waits for one of them`,
          deferMs(),
        )
      }
      return lease
    },
  }
}
