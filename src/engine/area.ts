import type { Credentials, JsonObject } from './types.js'

/** Lazily resolves a connection's credentials (so a token is refreshed only when used). */
export type AuthResolver = () => Promise<Credentials | undefined>

/** An AREA as the engine runs it: resolved from the store, no database types. */
export interface LoadedArea {
  id: string
  name: string
  userId: string
  action: {
    id: string
    service: string
    action: string
    params: JsonObject
    auth?: AuthResolver
    /** `when:` on the action, a CEL bool: an event it rejects is recorded as skipped. */
    when?: string
  }
  /** In `position` order: the main reactions, then the `on_failure` ones. */
  reactions: LoadedReaction[]
}

/**
 * The AREA language's keys on one reaction (docs/architecture.md, "The AREA language"), resolved
 * by `normalizeArea` and stored as `area_reactions.policy`.
 */
export interface ReactionPolicy {
  /** A CEL bool; false → this reaction is `skipped` (with the expression and its value). */
  when?: string
  /** A CEL list; the reaction runs once per item, with `item` and `index` in its params. */
  forEach?: string
  /**
   * Refs of the reactions (same phase) that must finish first, always explicit once normalized:
   * a reaction written without `needs:` needs the one above it (none for the first), so files
   * without `needs` run in sequence as before; `needs: []` starts at once.
   */
  needs: string[]
  /** A failure of this reaction does not fail the AREA's run; dependents still run. */
  continueOnError?: boolean
  /** Within the server's ceilings; unset → the server's defaults. */
  retry?: { attempts?: number; backoff?: 'exponential' | 'fixed'; delayMs?: number; maxDelayMs?: number }
  /** Within the server's ceiling (the lower of the two applies). */
  timeoutMs?: number
}

/**
 * A reaction's attempts in all (docs/architecture.md, "Retry policy"): its own `retry.attempts`,
 * else the server's default, never above the server's ceiling. The worker ends a run by it, and
 * the logs and `area describe` show it.
 */
export function reactionAttempts(
  own: number | null | undefined,
  server: { attempts: number; maxAttempts: number },
): number {
  return Math.min(server.maxAttempts, own ?? server.attempts)
}

export interface LoadedReaction {
  id: string
  ref: string
  position: number
  service: string
  reaction: string
  params: JsonObject
  auth?: AuthResolver
  /** `main`: the AREA's reactions; `on_failure`: run once when the run fails for good. */
  phase: 'main' | 'on_failure'
  policy: ReactionPolicy
}

/**
 * A reaction's policy as the engine runs it, from what is stored (`area_reactions.policy`, the
 * normalized keys in camelCase; `{}` for rows written before the AREA language). The one rule for
 * `needs` lives here: absent means the reaction above in the same phase (none for the first).
 */
export function resolvePolicy(stored: unknown, above: string | undefined): ReactionPolicy {
  const raw = (
    stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? stored : {}
  ) as Record<string, unknown>
  const needs = Array.isArray(raw.needs)
    ? raw.needs.filter((n): n is string => typeof n === 'string')
    : above === undefined
      ? []
      : [above]
  const policy: ReactionPolicy = { needs }
  if (typeof raw.when === 'string') policy.when = raw.when
  if (typeof raw.forEach === 'string') policy.forEach = raw.forEach
  if (raw.continueOnError === true) policy.continueOnError = true
  if (typeof raw.timeoutMs === 'number') policy.timeoutMs = raw.timeoutMs
  if (raw.retry !== null && typeof raw.retry === 'object') policy.retry = raw.retry as ReactionPolicy['retry']
  return policy
}
