/**
 * A reaction's policy keys (`retry`, `timeout`, `continue_on_error`, `when`, `for_each`, `needs`)
 * checked for their bounds and turned into the stored form, `area_reactions.policy`
 * (docs/architecture.md, "The AREA language"). The worker applies the lower of these and the
 * server's ceilings; the shape is `ReactionPolicy` of src/engine/area.ts, with `needs` only when
 * written (the loader resolves an absent one to the reaction above).
 */
import type { ReactionPolicy } from '../engine/area.js'
import { formatDuration, parseDuration } from '../engine/duration.js'
import type { Issue } from '../engine/errors.js'
import type { ReactionSpec } from './document.js'

export type StoredPolicy = Omit<ReactionPolicy, 'needs'> & { needs?: string[] }

/** Bounds in seconds, checked offline (the schema already checked the duration's form). */
export const POLICY_BOUNDS = {
  delay: { min: 1, max: 3_600 },
  max_delay: { min: 1, max: 3_600 },
  timeout: { min: 1, max: 900 },
} as const

/** The stored policy of a reaction whose keys the schema accepted; bound problems go to `issues`. */
export function storedPolicy(
  spec: ReactionSpec,
  path: string,
  issues: Issue[],
  /** False for a path the schema refused (already reported): its bounds are not checked again. */
  clean: (path: string) => boolean,
): StoredPolicy {
  const seconds = (key: keyof typeof POLICY_BOUNDS, text: string | undefined, at: string) => {
    if (text === undefined || !clean(at)) return undefined
    let value: number
    try {
      value = parseDuration(text)
    } catch (error) {
      issues.push({ path: at, message: (error as Error).message })
      return undefined
    }
    const { min, max } = POLICY_BOUNDS[key]
    if (value < min || value > max) {
      issues.push({
        path: at,
        message: `must be between ${formatDuration(min)} and ${formatDuration(max)}, not ${text}`,
      })
      return undefined
    }
    return value
  }
  const policy: StoredPolicy = {}
  if (spec.when !== undefined) policy.when = spec.when
  if (spec.for_each !== undefined) policy.forEach = spec.for_each
  if (spec.needs !== undefined) policy.needs = [...new Set(spec.needs)]
  if (spec.continue_on_error === true) policy.continueOnError = true
  if (spec.retry !== undefined) {
    const { attempts, backoff } = spec.retry
    const delay = seconds('delay', spec.retry.delay, `${path}/retry/delay`)
    const maxDelay = seconds('max_delay', spec.retry.max_delay, `${path}/retry/max_delay`)
    if (delay !== undefined && maxDelay !== undefined && maxDelay < delay) {
      issues.push({
        path: `${path}/retry/max_delay`,
        message: `must not be shorter than delay (${spec.retry.delay}), not ${spec.retry.max_delay}`,
      })
    }
    policy.retry = {
      ...(attempts === undefined ? {} : { attempts }),
      ...(backoff === undefined ? {} : { backoff }),
      ...(delay === undefined ? {} : { delayMs: delay * 1000 }),
      ...(maxDelay === undefined ? {} : { maxDelayMs: maxDelay * 1000 }),
    }
  }
  const timeout = seconds('timeout', spec.timeout, `${path}/timeout`)
  if (timeout !== undefined) policy.timeoutMs = timeout * 1000
  return policy
}
