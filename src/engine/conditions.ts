/**
 * `when:` and `for_each:` at run time: the compiled expression (cached by source, since the same
 * AREA runs many events) evaluated against the run's scope. Expressions were checked at apply;
 * what can still go wrong here is the data (a missing field, a wrong type), which is permanent:
 * the same event fails the same way on a retry.
 */

import { errorMessage, PermanentError } from './errors.js'
import { type CompiledExpression, compileExpression, type ExpressionKind } from './expression.js'
import type { JsonValue } from './types.js'

const MAX_CACHED = 1_000
const cache = new Map<string, CompiledExpression>()

function compiled(source: string, kind: ExpressionKind): CompiledExpression {
  const key = `${kind}\u0000${source}`
  let expression = cache.get(key)
  if (!expression) {
    expression = compileExpression(source, kind)
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string)
    cache.set(key, expression)
  }
  return expression
}

export type ExpressionScope = Record<string, JsonValue | undefined>

/** A `when` (where: `the action` or `reaction "x"`): its value, or a permanent error saying why. */
export function evaluateWhen(source: string, scope: ExpressionScope, where: string): boolean {
  try {
    return compiled(source, 'when').evaluate(scope) === true
  } catch (error) {
    throw new PermanentError(
      `the when of ${where} (${source}) could not be evaluated: ${errorMessage(error)}`,
      {
        code: 'condition_failed',
      },
    )
  }
}

/** A `for_each`: its list, within `maxItems`, or a permanent error saying why. */
export function evaluateForEach(
  source: string,
  scope: ExpressionScope,
  where: string,
  maxItems: { count: number; setting: string },
): JsonValue[] {
  let list: JsonValue
  try {
    list = compiled(source, 'for_each').evaluate(scope)
  } catch (error) {
    throw new PermanentError(
      `the for_each of ${where} (${source}) could not be evaluated: ${errorMessage(error)}`,
      { code: 'for_each_failed' },
    )
  }
  const items = list as JsonValue[]
  if (items.length > maxItems.count) {
    throw new PermanentError(
      `the for_each of ${where} (${source}) gave ${items.length} items, more than the limit of ${maxItems.count} (${maxItems.setting}); filter the list in the expression or raise the limit`,
      { code: 'for_each_too_many' },
    )
  }
  return items
}

/** The reason a skipped run or reaction records. */
export function skippedReason(source: string): string {
  return `when: ${source} was false`
}
