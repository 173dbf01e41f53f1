/**
 * The AREAs a worker has loaded, by action id and version (revision and last change, returned by
 * the claim), so a busy AREA costs one load per change instead of queries on every event.
 * Credentials are not cached: the loaded AREA reads them when a reaction runs.
 */
import type { LoadedAreaWithState } from '../../store/load-area.js'

export interface AreaCache {
  /** The AREA at `version`, loading it once however many events ask at the same time. */
  get(
    areaActionId: string,
    version: string,
    load: () => Promise<LoadedAreaWithState | undefined>,
  ): Promise<LoadedAreaWithState | undefined>
  readonly size: number
}

export const DEFAULT_AREA_CACHE_SIZE = 1_000

export function createAreaCache(maxEntries = DEFAULT_AREA_CACHE_SIZE): AreaCache {
  const entries = new Map<string, { version: string; area: Promise<LoadedAreaWithState | undefined> }>()
  return {
    get(areaActionId, version, load) {
      const hit = entries.get(areaActionId)
      if (hit && hit.version === version) {
        // Least recently used goes first: re-inserting moves the entry to the end.
        entries.delete(areaActionId)
        entries.set(areaActionId, hit)
        return hit.area
      }
      const area = load()
      const entry = { version, area }
      entries.delete(areaActionId)
      entries.set(areaActionId, entry)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
      // A failed or empty load is not kept: the next event tries again.
      area.then(
        (loaded) => {
          if (!loaded && entries.get(areaActionId) === entry) entries.delete(areaActionId)
        },
        () => {
          if (entries.get(areaActionId) === entry) entries.delete(areaActionId)
        },
      )
      return area
    },
    get size() {
      return entries.size
    },
  }
}
