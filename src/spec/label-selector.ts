/**
 * Label selectors in kubectl's syntax: `team=infra`, `team!=infra`, `team in (infra,ops)`,
 * `team notin (web)`, `team` (has the label), `!team` (has not); a comma means "and". Parsed
 * here, for the CLI (a usage error before anything is sent) and the API (a 400), and matched
 * in SQL by src/store/label-filter.ts. As in Kubernetes, `!=` and `notin` also match AREAs
 * without the label.
 */

export type LabelRequirement =
  | { key: string; op: 'exists' }
  | { key: string; op: 'absent' }
  | { key: string; op: 'in'; values: string[] }
  | { key: string; op: 'notin'; values: string[] }

/** A selector that cannot be parsed; the message says what and how it should look. */
export class LabelSelectorError extends Error {
  constructor(selector: string, problem: string) {
    super(
      `invalid label selector "${selector}": ${problem} (e.g. team=infra, team!=web, team in (infra,ops), !archived)`,
    )
    this.name = 'LabelSelectorError'
  }
}

const word = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/
const setTerm = /^([^\s=!(),]+)\s+(in|notin)\s*\((.*)\)$/s
const equalityTerm = /^([^\s=!(),]+)\s*(==|=|!=)\s*(.*)$/s

/** Every requirement of the selector, in order; an empty selector selects everything. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const fail = (problem: string): never => {
    throw new LabelSelectorError(selector, problem)
  }
  const terms = splitTerms(selector, fail)
  return terms.map((raw) => {
    const term = raw.trim()
    if (!term) return fail('an empty requirement (two commas, or a trailing comma)')
    const key = (text: string) =>
      word.test(text) && text.length <= 63
        ? text
        : fail(`"${text}" is not a label key (letters, digits, ., _, - and /; at most 63)`)
    const value = (text: string) =>
      text === '' || (word.test(text) && text.length <= 253)
        ? text
        : fail(`"${text}" is not a label value (letters, digits, ., _, - and /; at most 253)`)
    if (term.startsWith('!') && !term.includes('=')) return { key: key(term.slice(1).trim()), op: 'absent' }
    const set = setTerm.exec(term)
    if (set) {
      const values = (set[3] ?? '').split(',').map((v) => v.trim())
      if (values.length === 1 && values[0] === '') fail(`"${term}" lists no values`)
      return { key: key(set[1] ?? ''), op: set[2] === 'in' ? 'in' : 'notin', values: values.map(value) }
    }
    const equality = equalityTerm.exec(term)
    if (equality) {
      return {
        key: key(equality[1] ?? ''),
        op: equality[2] === '!=' ? 'notin' : 'in',
        values: [value((equality[3] ?? '').trim())],
      }
    }
    if (/\s/.test(term)) return fail(`"${term}" is not a requirement: use =, !=, in (…) or notin (…)`)
    return { key: key(term), op: 'exists' }
  })
}

/** Splits on the commas outside parentheses. */
function splitTerms(selector: string, fail: (problem: string) => never): string[] {
  if (selector.trim() === '') return []
  const terms: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < selector.length; i += 1) {
    const char = selector[i]
    if (char === '(') depth += 1
    else if (char === ')') depth -= 1
    if (depth < 0 || depth > 1) fail('unbalanced parentheses')
    if (char === ',' && depth === 0) {
      terms.push(selector.slice(start, i))
      start = i + 1
    }
  }
  if (depth !== 0) fail('a "(" is not closed')
  terms.push(selector.slice(start))
  return terms
}

/** Whether labels satisfy every requirement: the same rules as the SQL filter. */
export function matchesLabels(labels: Readonly<Record<string, string>>, requirements: LabelRequirement[]) {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key)
    if (r.op === 'exists') return has
    if (r.op === 'absent') return !has
    const inSet = has && r.values.includes(labels[r.key] ?? '')
    return r.op === 'in' ? inSet : !inSet
  })
}
