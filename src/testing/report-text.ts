/**
 * `area test`'s output for people: per run, each reaction in the order the engine reached it
 * (would run, fails, skipped and why, not run and why), its rendered params (secrets already
 * redacted by the engine) and its for_each items; then each failed expectation at its
 * file:line:column with what was expected and what the run gave; then one summary line.
 */
import type { Colors } from '../lib/colors.js'
import { terminalJson, terminalText } from '../lib/terminal-text.js'
import { formatIssue } from '../spec/file-issue.js'
import type { ReactionRecord } from './offline-run.js'
import type { CaseResult, SuiteResult } from './suite.js'

export function renderSuite(result: SuiteResult, c: Colors): string {
  const blocks = result.cases.map((run) => renderCase(run, c))
  const failed = result.cases.filter((r) => !r.passed).length
  const total = result.cases.length
  const runs = `${total} run${total === 1 ? '' : 's'}`
  const summary =
    failed === 0 ? `${c.green('✓')} ${runs} passed.` : `${c.red('✗')} ${failed} of ${runs} failed.`
  return `${blocks.join('\n\n')}\n\n${summary}`
}

function renderCase(result: CaseResult, c: Colors): string {
  const mark = result.passed ? c.green('✓') : c.red('✗')
  const where = result.file ? `${result.file}:${result.line ?? 1}` : result.areaAt
  const lines = [
    `${mark} ${c.bold(terminalText(result.area))} · ${terminalText(result.name)} ${c.dim(`(${terminalText(where)})`)}`,
  ]
  const { run } = result
  if (run.status === 'skipped')
    lines.push(`    ${c.yellow('event skipped')}: ${terminalText(run.reason ?? '')}`)
  for (const reaction of run.reactions) lines.push(...renderReaction(reaction, c))
  if (run.status === 'failed') lines.push(`    ${c.red('run failed')}: ${terminalText(run.error ?? '')}`)
  for (const failure of result.failures) {
    lines.push(`  ${c.red(terminalText(formatIssue({ ...failure, document: null })))}`)
    if (failure.expected !== undefined) {
      lines.push(`      expected: ${terminalJson(failure.expected)}`)
      lines.push(`      got:      ${terminalJson(failure.got ?? null)}`)
    }
  }
  return lines.join('\n')
}

function renderReaction(r: ReactionRecord, c: Colors): string[] {
  const name = `${terminalText(r.id)} ${c.dim(`${r.service}.${r.reaction}${r.phase === 'on_failure' ? ', on failure' : ''}`)}`
  const why = (text: string | undefined) => (text ? ` (${terminalText(text)})` : '')
  const state =
    r.status === 'succeeded'
      ? c.green('would run')
      : r.status === 'failed'
        ? `${c.red('fails')}${why(r.error)}`
        : r.status === 'skipped'
          ? `${c.yellow('skipped')}${why(r.reason)}`
          : `${c.dim('not run')}${why(r.reason)}`
  const lines = [`    ${name}: ${state}`]
  if (r.items) {
    lines.push(`      for_each: ${r.items.length} item${r.items.length === 1 ? '' : 's'}`)
    for (const item of r.items) {
      const failed = item.status === 'failed' ? ` ${c.red('fails')}${why(item.error)}` : ''
      lines.push(`        [${item.index}] ${terminalJson(item.params ?? null)}${failed}`)
    }
  } else if (r.params !== undefined) {
    lines.push(`      params: ${terminalJson(r.params)}`)
  }
  if (r.status === 'succeeded' && r.outputFrom)
    lines.push(
      c.dim(
        `      output (${r.outputFrom === 'mock' ? 'mock' : 'declared example'}): ${terminalJson(r.output ?? null)}`,
      ),
    )
  return lines
}
