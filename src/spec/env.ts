/**
 * `${VAR}` and `${VAR:-default}` in the AREA file, resolved by the CLI before anything is validated
 * or sent (docs/architecture.md, "Decisions"), so secrets stay out of the files and the server only
 * ever sees final values.
 *
 * - Only string values are substituted, never keys, and each value on its own: a variable cannot
 *   inject YAML structure.
 * - `{{ … }}` and `{% … %}` are runtime templates for the worker and are left untouched, `${…}`
 *   inside them included.
 * - `$${VAR}` is a literal `${VAR}`.
 * - `${VAR:-default}` uses the default when VAR is unset or empty (as in POSIX shells). The
 *   default is text that may itself hold references, `${A:-${B:-x}}` (A, else B, else x), so
 *   a value can follow the first variable that is set; it ends at the `}` that closes its `${`.
 * - `${VAR}` with VAR unset is an error naming the variable; an empty VAR is accepted as empty.
 * - A bare `$VAR` is left as is: only the braced form is a reference.
 * - An unquoted value that is exactly one reference takes the type its text reads as, as if it
 *   were written there: `${PORT:-8080}` is the number 8080, `${ON:-true}` the boolean true.
 *   Quote it (`"${PORT}"`) to keep a string.
 *
 * `area validate` resolves variables exactly as `area apply` does, so a file that validates
 * applies in the same environment; give every variable a default to validate anywhere.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, Scalar } from 'yaml'
import { escapePointer } from '../engine/templates.js'

export type Env = Readonly<Record<string, string | undefined>>

export interface EnvProblem {
  /** Offset of the `${` in the text. */
  index: number
  message: string
}

export interface Substitution {
  text: string
  problems: EnvProblem[]
  /** How many references were resolved. */
  references: number
  /** The text was exactly one reference. */
  whole: boolean
}

const referenceStart = /\$\{([A-Za-z_][A-Za-z0-9_]*)(\}|:-)/y

interface Reference {
  name: string
  /** The default's text as written, references unresolved; undefined without `:-`. */
  fallback: string | undefined
  /** Offset of the default's text in the whole string. */
  fallbackIndex: number
  /** Length of the reference, `${` to its closing `}`. */
  length: number
}

/** The reference at `index` (a `${`), or undefined when it is malformed or never closed. */
function readReference(text: string, index: number): Reference | undefined {
  referenceStart.lastIndex = index
  const match = referenceStart.exec(text)
  if (!match) return undefined
  const [start, name = '', ending] = match
  if (ending === '}') return { name, fallback: undefined, fallbackIndex: -1, length: start.length }
  // The default runs to the `}` that closes this reference: nested `${` open one more level.
  const from = index + start.length
  let depth = 0
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('$${', i)) i += 2
    else if (text.startsWith('${', i)) {
      depth++
      i++
    } else if (text[i] === '}') {
      if (depth === 0)
        return { name, fallback: text.slice(from, i), fallbackIndex: from, length: i + 1 - index }
      depth--
    }
  }
  return undefined
}

/** Substitutes the references in one string. */
export function substituteEnv(text: string, env: Env): Substitution {
  let out = ''
  let references = 0
  let whole = false
  const problems: EnvProblem[] = []
  let i = 0
  while (i < text.length) {
    const two = text.slice(i, i + 2)
    if (two === '{{' || two === '{%') {
      const close = text.indexOf(two === '{{' ? '}}' : '%}', i + 2)
      const end = close < 0 ? text.length : close + 2
      out += text.slice(i, end)
      i = end
    } else if (text.startsWith('$${', i)) {
      out += '${'
      i += 3
    } else if (two === '${') {
      const match = readReference(text, i)
      if (!match) {
        const shown = referenceText(text, i)
        problems.push({
          index: i,
          message: `"${shown}" is not a variable reference: write \${NAME} or \${NAME:-default} (NAME: letters, digits, _), or $\${ for a literal \${`,
        })
        out += two
        i += 2
        continue
      }
      const { name, fallback, fallbackIndex, length } = match
      const value = env[name]
      references++
      if (fallback !== undefined) {
        if (value) out += value
        else {
          // Only a default in use is resolved, so an unset variable in an unused one is no error.
          const inner = substituteEnv(fallback, env)
          out += inner.text
          references += inner.references
          for (const problem of inner.problems)
            problems.push({ index: fallbackIndex + problem.index, message: problem.message })
        }
      } else if (value !== undefined) {
        out += value
      } else {
        problems.push({
          index: i,
          message: `environment variable ${name} is not set: set it, or give a default with \${${name}:-value}`,
        })
      }
      whole = i === 0 && length === text.length
      i += length
    } else {
      out += text[i]
      i++
    }
  }
  return { text: out, problems, references, whole }
}

export interface NodeEnvProblem {
  /** JSON pointer of the value. */
  path: string
  /** Offset in the source of the `${` when it can be found there, else of the value. */
  offset: number
  message: string
}

/**
 * Substitutes every string value of a parsed document in place. `source` is the file's text,
 * used to point at the reference itself rather than at the start of the value.
 */
export function substituteEnvInDocument(yaml: Document.Parsed, env: Env, source: string): NodeEnvProblem[] {
  const problems: NodeEnvProblem[] = []
  const visit = (node: unknown, path: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = isScalar(pair.key) ? String(pair.key.value) : ''
        visit(pair.value, `${path}/${escapePointer(key)}`)
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, `${path}/${index}`)
      })
    } else if (isScalar(node) && typeof node.value === 'string' && !isAlias(node)) {
      const original = node.value
      if (!original.includes('${')) return
      const result = substituteEnv(original, env)
      const start = node.range?.[0] ?? 0
      const written = source.slice(start, node.range?.[1] ?? start)
      for (const problem of result.problems) {
        // The reference as written in the source; escapes in quoted strings may hide it.
        const found = written.indexOf(referenceText(original, problem.index))
        problems.push({ path, offset: found < 0 ? start : start + found, message: problem.message })
      }
      node.value =
        result.whole && node.type === Scalar.PLAIN && result.problems.length === 0
          ? plainValue(result.text)
          : result.text
    }
  }
  visit(yaml.contents, '')
  return problems
}

/** The reference starting at `index`, up to its closing brace (or a few characters). */
function referenceText(text: string, index: number): string {
  const close = text.indexOf('}', index)
  return close < 0 ? text.slice(index, index + 20) : text.slice(index, close + 1)
}

const integer = /^[-+]?[0-9]+$/
const float = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const booleans: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
}

/** What YAML's core schema makes of an unquoted number or boolean; anything else stays text. */
function plainValue(text: string): string | number | boolean {
  if (Object.hasOwn(booleans, text)) return booleans[text] as boolean
  if (integer.test(text) || float.test(text)) {
    const number = Number(text)
    if (Number.isFinite(number)) return number
  }
  return text
}
