/**
 * An AREA's flow control as the worker applies it (docs/architecture.md, "Flow control"), read
 * from the canonical document's `spec` (concurrency, rate_limit, debounce). `undefined` when the
 * AREA declares none: the worker then takes no extra step at all.
 */
import { parseDuration } from './duration.js'

export interface FlowPolicy {
  /** Events in flight at once, per key when `key` (a CEL scalar over the event) is given. */
  concurrency?: { limit: number; key?: string }
  /** Events that may start per window; `connection` shares the budget between the user's AREAs. */
  rateLimit?: { events: number; perMs: number; connection?: string }
  /** One run per burst, with its last event, `waitMs` after it; per key when given. */
  debounce?: { waitMs: number; key?: string }
}

/** Bounds in seconds, checked offline by src/spec/normalize-flow.ts. */
export const FLOW_BOUNDS = {
  ratePerSeconds: { min: 1, max: 86_400 },
  debounceSeconds: { min: 1, max: 3_600 },
} as const

type Loose = Record<string, unknown>
const isObject = (value: unknown): value is Loose =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
const ms = (text: unknown): number | undefined => {
  if (typeof text !== 'string') return undefined
  try {
    return parseDuration(text) * 1000
  } catch {
    return undefined
  }
}
const keyOf = (value: Loose): { key?: string } => (typeof value.key === 'string' ? { key: value.key } : {})

/** The policy of a stored document's `spec`; what does not read as a policy is left out. */
export function flowOf(spec: unknown): FlowPolicy | undefined {
  if (!isObject(spec)) return undefined
  const flow: FlowPolicy = {}
  const { concurrency, rate_limit: rate, debounce } = spec
  if (typeof concurrency === 'number') flow.concurrency = { limit: concurrency }
  else if (isObject(concurrency) && typeof concurrency.limit === 'number')
    flow.concurrency = { limit: concurrency.limit, ...keyOf(concurrency) }
  if (isObject(rate) && typeof rate.events === 'number') {
    const perMs = ms(rate.per)
    if (perMs !== undefined) {
      flow.rateLimit = {
        events: rate.events,
        perMs,
        ...(typeof rate.connection === 'string' ? { connection: rate.connection } : {}),
      }
    }
  }
  const wait = ms(typeof debounce === 'string' ? debounce : isObject(debounce) ? debounce.wait : undefined)
  if (wait !== undefined) flow.debounce = { waitMs: wait, ...(isObject(debounce) ? keyOf(debounce) : {}) }
  return flow.concurrency || flow.rateLimit || flow.debounce ? flow : undefined
}

/** One line per key, for `area describe`. */
export function describeFlow(spec: unknown): string[] {
  if (!isObject(spec)) return []
  const lines: string[] = []
  const { concurrency, rate_limit: rate, debounce } = spec
  if (typeof concurrency === 'number') lines.push(`concurrency: ${concurrency} at once`)
  else if (isObject(concurrency))
    lines.push(
      `concurrency: ${concurrency.limit} at once${isObject(concurrency) && concurrency.key ? ` per ${concurrency.key}` : ''}`,
    )
  if (isObject(rate))
    lines.push(
      `rate_limit: ${rate.events} per ${rate.per}${rate.connection ? `, shared by connection ${rate.connection}` : ''}; honours Retry-After`,
    )
  if (typeof debounce === 'string') lines.push(`debounce: ${debounce}, last event of a burst`)
  else if (isObject(debounce))
    lines.push(
      `debounce: ${debounce.wait}, last event of a burst${debounce.key ? ` per ${debounce.key}` : ''}`,
    )
  return lines
}
