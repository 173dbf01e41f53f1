/**
 * What diff, apply and create print for people: one line per AREA (created, updated,
 * unchanged, deleted) and, for a plan, a unified diff of the stored document against the file's.
 */
import { createPatch } from 'diff'
import { stringify } from 'yaml'
import type { ApplyBatchAnswer, ApplyBatchResult } from './api-types.js'
import type { Colors } from './colors.js'

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

/** The YAML of `before` against `after`, as unified diff lines (no file headers). */
export function documentDiff(result: ApplyBatchResult, c: Colors): string {
  if (result.outcome === 'unchanged') return ''
  const yaml = (doc: unknown) => (doc === undefined ? '' : stringify(doc, { lineWidth: 0 }))
  const patch = createPatch(result.name, yaml(result.before), yaml(result.after), 'server', 'files', {
    context: 3,
  })
  return patch
    .split('\n')
    .slice(4) // Index:, ====, ---, +++
    .filter((line) => line !== '' && !line.startsWith('\\'))
    .map((line) =>
      line.startsWith('@@')
        ? c.cyan(line)
        : line.startsWith('+')
          ? c.green(line)
          : line.startsWith('-')
            ? c.red(line)
            : line,
    )
    .map((line) => `    ${line}`)
    .join('\n')
}

export function summaryLine(results: readonly ApplyBatchResult[], dryRun: boolean): string {
  const count = (outcome: ApplyBatchResult['outcome']) => results.filter((r) => r.outcome === outcome).length
  const parts = (['created', 'updated', 'unchanged', 'deleted'] as const)
    .map((o) => [o, count(o)] as const)
    .filter(([, n]) => n > 0)
    .map(
      ([o, n]) =>
        `${n} ${dryRun ? { created: 'to create', updated: 'to update', unchanged: 'unchanged', deleted: 'to delete' }[o] : o}`,
    )
  return parts.length ? `${parts.join(', ')}.` : 'Nothing to do.'
}

/** What apply and create print: a line per AREA, then the counts. */
export function answerLines(answer: ApplyBatchAnswer, c: Colors): string {
  const lines = answer.results.map((r) => resultLine(r, c, answer.dryRun))
  lines.push('', `${answer.dryRun ? 'Dry run: ' : ''}${summaryLine(answer.results, answer.dryRun)}`)
  return lines.join('\n')
}
