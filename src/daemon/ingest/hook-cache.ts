/**
 * A short-lived, bounded LRU cache of webhook hooks by hook job id, so a burst of deliveries to
 * one hook costs one lookup and one decryption instead of one per request. Absent hooks are cached
 * too (a flood against an unknown id does not reach the database each time). Concurrent misses
 * for one id share a single load.
 *
 * Staleness is bounded by the TTL: a hook enabled, created or re-keyed is seen within `ttlMs`.
 * Disabling or deleting does not wait for it: the INSERT of each event re-checks the hook.
 */
import type { WebhookHook } from '../../store/webhook-events.js'

/** What the ingest route needs to accept an event for a hook. */
export interface HookTarget extends WebhookHook {
  /** The decrypted `whsec_…` secret. */
  secret: string | undefined
}

export interface HookCacheOptions {
  /** Loads an active hook; undefined when it does not exist or is disabled. */
  load(hookJobId: string): Promise<HookTarget | undefined>
  ttlMs: number
  maxEntries: number
  now?: () => number
}

export interface HookCache {
  get(hookJobId: string): Promise<HookTarget | undefined>
  /** Forgets one hook now, e.g. after the API disabled or deleted its AREA. */
  invalidate(hookJobId: string): void
  clear(): void
  readonly size: number
}

interface Entry {
  value: HookTarget | undefined
  expiresAt: number
}

export const DEFAULT_HOOK_CACHE_TTL_MS = 5_000
export const DEFAULT_HOOK_CACHE_MAX_ENTRIES = 10_000

export function createHookCache(options: HookCacheOptions): HookCache {
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()
  const loading = new Map<string, Promise<HookTarget | undefined>>()
  // Bumped by invalidate/clear, so a load that started before does not store a stale answer.
  let generation = 0

  function remember(hookJobId: string, value: HookTarget | undefined): void {
    entries.delete(hookJobId)
    entries.set(hookJobId, { value, expiresAt: now() + options.ttlMs })
    // Map keeps insertion order and hits re-insert: the first key is the least recently used.
    while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string)
  }

  function load(hookJobId: string): Promise<HookTarget | undefined> {
    const started = generation
    const pending = options.load(hookJobId).then((value) => {
      if (started === generation) remember(hookJobId, value)
      return value
    })
    loading.set(hookJobId, pending)
    const settled = () => {
      if (loading.get(hookJobId) === pending) loading.delete(hookJobId)
    }
    pending.then(settled, settled)
    return pending
  }

  return {
    get(hookJobId) {
      const entry = entries.get(hookJobId)
      if (entry !== undefined) {
        if (entry.expiresAt > now()) {
          entries.delete(hookJobId)
          entries.set(hookJobId, entry)
          return Promise.resolve(entry.value)
        }
        entries.delete(hookJobId)
      }
      return loading.get(hookJobId) ?? load(hookJobId)
    },
    invalidate(hookJobId) {
      generation += 1
      entries.delete(hookJobId)
      loading.delete(hookJobId)
    },
    clear() {
      generation += 1
      entries.clear()
      loading.clear()
    },
    get size() {
      return entries.size
    },
  }
}
