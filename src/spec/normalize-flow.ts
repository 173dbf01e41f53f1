/**
 * Flow control keys of an AREA (`concurrency`, `rate_limit`, `debounce`; docs/architecture.md,
 * "Flow control") checked beyond their schema: durations within bounds, keys that compile as CEL
 * over the event, and a `rate_limit.connection` that the AREA uses. They are stored as written in
 * the canonical document, which the worker reads through src/engine/flow.ts.
 */
import { didYouMean } from '../engine/did-you-mean.js'
import { formatDuration, parseDuration } from '../engine/duration.js'
import type { Issue } from '../engine/errors.js'
import { FLOW_BOUNDS } from '../engine/flow.js'
import type { AreaDocument } from './document.js'
import { expressionTypeIssues } from './expression-types.js'
import { ACTION_WHEN_VARIABLES, expressionIssues } from './expressions-check.js'
import type { Shape } from './shape.js'
import { AREA_SCHEMA, type Typed, typed } from './type-scope.js'

/** Problems go to `issues` (errors) and `warnings`; `event` types the keys when known. */
export function checkFlow(
  doc: AreaDocument,
  shape: Shape,
  issues: Issue[],
  warnings: Issue[],
  event: Typed | undefined,
): void {
  const spec = doc.spec
  const key = (source: string | undefined, path: string) => {
    if (source === undefined || !shape.clean(path)) return
    const found = expressionIssues(source, 'key', ACTION_WHEN_VARIABLES, path)
    issues.push(...found)
    if (found.length > 0 || !event) return
    const types = expressionTypeIssues(source, 'key', path, {
      roots: { trigger: event, area: typed(AREA_SCHEMA) },
      readable: [],
    })
    issues.push(...types.errors)
    warnings.push(...types.warnings)
  }
  const duration = (text: string | undefined, path: string, bounds: { min: number; max: number }) => {
    if (text === undefined || !shape.clean(path)) return
    let seconds: number
    try {
      seconds = parseDuration(text)
    } catch (error) {
      issues.push({ path, message: (error as Error).message })
      return
    }
    if (seconds < bounds.min || seconds > bounds.max) {
      issues.push({
        path,
        message: `must be between ${formatDuration(bounds.min)} and ${formatDuration(bounds.max)}, not ${text}`,
      })
    }
  }
  if (typeof spec.concurrency === 'object') key(spec.concurrency.key, '/spec/concurrency/key')
  if (spec.rate_limit !== undefined) {
    duration(spec.rate_limit.per, '/spec/rate_limit/per', FLOW_BOUNDS.ratePerSeconds)
    const named = spec.rate_limit.connection
    if (named !== undefined && shape.clean('/spec/rate_limit/connection')) {
      const reactions = Array.isArray(spec.reactions) ? spec.reactions : []
      const used = [spec.action?.connection, ...reactions.map((r) => r?.connection)].filter(
        (c): c is string => typeof c === 'string',
      )
      if (!used.includes(named)) {
        issues.push({
          path: '/spec/rate_limit/connection',
          message: `this AREA uses no connection "${named}": name one its action or a reaction uses (${used.length ? [...new Set(used)].join(', ') : 'it uses none'})${didYouMean(named, [...new Set(used)])}`,
        })
      }
    }
  }
  if (typeof spec.debounce === 'string')
    duration(spec.debounce, '/spec/debounce', FLOW_BOUNDS.debounceSeconds)
  else if (spec.debounce !== undefined) {
    duration(spec.debounce.wait, '/spec/debounce/wait', FLOW_BOUNDS.debounceSeconds)
    key(spec.debounce.key, '/spec/debounce/key')
  }
}

/** The flow keys as written, for the canonical document (absent keys stay absent). */
export function writtenFlow(spec: AreaDocument['spec']): Partial<AreaDocument['spec']> {
  return {
    ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
    ...(spec.rate_limit === undefined ? {} : { rate_limit: spec.rate_limit }),
    ...(spec.debounce === undefined ? {} : { debounce: spec.debounce }),
  }
}
