/**
 * `area test --junit PATH`: the results as JUnit XML, the format CI systems (GitLab, Jenkins,
 * GitHub Actions' test reporters) read: one <testsuite> per test file (and one for the AREAs run
 * on an example or --event), one <testcase> per case, a <failure> per failed case listing its
 * failed expectations. Written by hand: the format is a few elements, and text needs only XML's
 * escaping (plus dropping the characters XML 1.0 cannot hold).
 */
import { formatIssue } from '../spec/file-issue.js'
import type { CaseResult, SuiteResult } from './suite.js'

export function junitXml(result: SuiteResult): string {
  const suites = new Map<string, CaseResult[]>()
  for (const c of result.cases) {
    const key = c.file ?? 'area test'
    suites.set(key, [...(suites.get(key) ?? []), c])
  }
  const failures = result.cases.filter((c) => !c.passed).length
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="area test" tests="${result.cases.length}" failures="${failures}" errors="0">`,
  ]
  for (const [name, cases] of suites) {
    const failed = cases.filter((c) => !c.passed).length
    lines.push(
      `  <testsuite name="${attr(name)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0">`,
    )
    for (const c of cases) {
      const where = c.file ? `${c.file}:${c.line ?? 1}` : c.areaAt
      const open = `    <testcase classname="${attr(c.area)}" name="${attr(c.name)}" file="${attr(c.file ?? c.areaAt.replace(/:\d+$/, ''))}"`
      if (c.passed) {
        lines.push(`${open}/>`)
        continue
      }
      const text = c.failures
        .map((f) => {
          const line = formatIssue({ ...f, document: null })
          const detail =
            f.expected === undefined
              ? ''
              : `\n  expected: ${JSON.stringify(f.expected)}\n  got:      ${JSON.stringify(f.got)}`
          return `${line}${detail}`
        })
        .join('\n')
      const message = `${c.failures.length} expectation${c.failures.length === 1 ? '' : 's'} failed (${where})`
      lines.push(`${open}>`)
      lines.push(`      <failure message="${attr(message)}" type="expectation">${xmlText(text)}</failure>`)
      lines.push('    </testcase>')
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return `${lines.join('\n')}\n`
}

/** Drops what XML 1.0 cannot hold: controls other than tab, newline and return, lone surrogates, U+FFFE/F. */
function xmlChars(value: string): string {
  let out = ''
  for (const char of value) {
    const code = char.codePointAt(0) as number
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000
    if (allowed) out += char
  }
  return out
}

function xmlText(value: string): string {
  return xmlChars(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

function attr(value: string): string {
  return xmlText(value).replaceAll('"', '&quot;').replaceAll('\n', '&#10;').replaceAll('\t', '&#9;')
}
