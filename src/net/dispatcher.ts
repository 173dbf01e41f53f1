/**
 * Connection pools for outgoing requests (undici Agents), one per address policy and resolver.
 * Each new connection resolves its host through the address guard, so the address connected to
 * is the address checked: no second, unchecked DNS answer (rebinding) reaches the socket.
 */
import type { LookupAddress, LookupOptions } from 'node:dns'
import type { Agent } from 'undici'
import { type AddressPolicy, assertResolvedAllowed, type HostLookup } from './address-guard.js'

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

const agents = new Map<string, WeakMap<HostLookup, Agent>>()

// undici is loaded on the first request: commands that send none (validate) start faster.
export async function dispatcherFor(policy: AddressPolicy, lookup: HostLookup): Promise<Agent> {
  let byLookup = agents.get(policy.text)
  if (!byLookup) {
    byLookup = new WeakMap()
    agents.set(policy.text, byLookup)
  }
  let agent = byLookup.get(lookup)
  if (!agent) {
    const { Agent } = await import('undici')
    agent = new Agent({ connect: { lookup: guardedLookup(policy, lookup) } })
    byLookup.set(lookup, agent)
  }
  return agent
}

/** A `net.connect` lookup that resolves with `lookup` and refuses what the policy refuses. */
function guardedLookup(policy: AddressPolicy, lookup: HostLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    lookup(hostname).then(
      (resolved) => {
        try {
          assertResolvedAllowed(hostname, resolved, policy)
        } catch (error) {
          callback(error as NodeJS.ErrnoException, '')
          return
        }
        const usable = resolved.filter((a) => !options.family || a.family === options.family)
        const first = usable[0]
        if (!first) {
          callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '')
        } else if (options.all) {
          callback(
            null,
            usable.map((a) => ({ address: a.address, family: a.family })),
          )
        } else {
          callback(null, first.address, first.family)
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    )
  }
}
