/**
 * The CEL expressions of an AREA file (`when:` on the action and on reactions, `for_each:`),
 * checked offline with the engine's own compiler (src/engine/expression.ts): syntax, the type
 * (`when` a bool, `for_each` a list) and the variables each place may read. The action's `when`
 * runs before any reaction; `error` exists only in on_failure reactions; `item` and `index` only
 * in a for_each reaction's params (templates), never in its expressions, which run before the loop.
 */
import type { Issue } from '../engine/errors.js'
import {
  compileExpression,
  ExpressionError,
  type ExpressionKind,
  type ExpressionVariable,
} from '../engine/expression.js'
import { unreadableReaction } from '../engine/templates.js'
import type { Phase } from './reaction-graph.js'

export const ACTION_WHEN_VARIABLES: readonly ExpressionVariable[] = ['trigger', 'area']

/** What a reaction's `when` and `for_each` may read. */
export function reactionVariables(phase: Phase): readonly ExpressionVariable[] {
  return phase === 'on_failure' ? ['trigger', 'reactions', 'area', 'error'] : ['trigger', 'reactions', 'area']
}

/** The issue for one expression, if any; `offset` points into the string for file:line:col. */
export function expressionIssues(
  source: string | undefined,
  kind: ExpressionKind,
  variables: readonly ExpressionVariable[],
  path: string,
  /** For a reaction: what it may read as `reactions.<id>` (its ancestors), and every id. */
  reactions?: { available: readonly string[]; all: readonly string[] },
): Issue[] {
  if (source === undefined) return []
  try {
    const compiled = compileExpression(source, kind, variables)
    if (!reactions) return []
    return compiled.reactionRefs
      .filter((ref) => !reactions.available.includes(ref.id))
      .map((ref) => ({
        path,
        message: `${kind}: ${unreadableReaction('it', ref.id, reactions.available, reactions.all)}`,
        offset: ref.offset,
      }))
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error
    return [
      {
        path,
        message: `${kind}: ${error.message}`,
        ...(error.offset === undefined ? {} : { offset: error.offset }),
      },
    ]
  }
}
