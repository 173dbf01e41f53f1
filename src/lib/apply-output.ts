/**
 * What apply and create print for people: the plan lines of what changed (plan-output.ts) and a
 * summary; `resultLine` is one AREA's outcome on one line (`area dev`).
 */
import type { ApplyBatchAnswer, ApplyBatchResult } from './api-types.js'
import { planOf } from './area-diff.js'
import type { Colors } from './colors.js'
import { appliedSummary, planLines, planSummary } from './plan-output.js'

const marks = { created: '+', updated: '~', unchanged: '=', deleted: '-' } as const

export function resultLine(result: ApplyBatchResult, c: Colors, dryRun: boolean): string {
  const verb = dryRun
    ? { created: 'create', updated: 'update', unchanged: 'unchanged', deleted: 'delete' }[result.outcome]
    : result.outcome
  const paint = { created: c.green, updated: c.yellow, unchanged: c.dim, deleted: c.red }[result.outcome]
  const changes =
    result.outcome === 'updated' && result.changes.length ? c.dim(` (${result.changes.join(', ')})`) : ''
  return `${paint(`${marks[result.outcome]} ${verb.padEnd(9)}`)} ${result.name}${changes}`
}

/** What apply and create print: the plan lines of what changed, then the counts. */
export function answerLines(answer: ApplyBatchAnswer, c: Colors): string {
  const plan = planOf(answer.results)
  const unchanged = answer.results.filter((r) => r.outcome === 'unchanged').length
  const lines = planLines(plan, c, !answer.dryRun)
  const summary = answer.dryRun ? `Dry run: ${planSummary(plan)}` : appliedSummary(plan, unchanged)
  return [...lines, ...(lines.length ? [''] : []), summary].join('\n')
}
