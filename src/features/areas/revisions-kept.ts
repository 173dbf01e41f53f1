/** How many revisions of an AREA the server keeps (AREA_MAX_REVISIONS_PER_AREA), in one place. */
import { DEFAULT_MAX_REVISIONS_PER_AREA, type LimitsSettings } from '../../daemon/config-limits.js'

/**
 * The daemon's context carries the limits; tests and tools that apply without them (area dev's
 * local account, fixtures) get the documented default.
 */
export function keptRevisions(ctx: object): number {
  const limits = (ctx as { config?: { limits?: Partial<LimitsSettings> } }).config?.limits
  return limits?.maxRevisionsPerArea ?? DEFAULT_MAX_REVISIONS_PER_AREA
}
