/**
 * Parses one AREA file into YAML documents that keep their source positions, refusing what is
 * unsafe or ambiguous before anything reads the values: too many tokens, deep flow nesting,
 * syntax errors, duplicate or non-text keys, unknown tags. Aliases are kept (they are handy to
 * share headers) and bounded when the document is turned into plain values.
 */
import {
  Composer,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  Parser,
} from 'yaml'
import type { FileIssue } from './file-issue.js'
import { MAX_DOCUMENTS, MAX_FLOW_DEPTH, MAX_YAML_TOKENS } from './limits.js'
import type { SourceFile } from './read-sources.js'

export interface ParsedDocument {
  file: string
  /** 1-based, counting every document of the file, empty ones included. */
  index: number
  yaml: Document.Parsed
  lineCounter: LineCounter
}

export interface ParsedFile {
  documents: ParsedDocument[]
  issues: FileIssue[]
}

// The lexer's markers for "document", "flow end" and "scalar" are not source text.
const markers = new Set(['\x02', '\x18', '\x1f'])

export function parseYamlFile(source: SourceFile): ParsedFile {
  const lineCounter = new LineCounter()
  const at = (document: number | null, offset: number, message: string): FileIssue => {
    const { line, col } = lineCounter.linePos(offset)
    return { file: source.name, document, line, column: col, path: '', message }
  }

  // `schema: 'core'` wins over a `%YAML 1.1` directive, so `yes` and `2001-12-14` stay strings;
  // explicit tags (`!!binary`, `!!set`) are refused below: the values are plain JSON. Duplicate
  // keys are checked below too, in linear time: the parser's own check is quadratic.
  const composer = new Composer({ schema: 'core', uniqueKeys: false, keepSourceTokens: false })
  const shape = new ShapeCheck()
  const documents = Array.from(composer.compose(checkedTokens(source.text, shape, lineCounter)))
  if (shape.problem) {
    // The line counter fills while parsing; count lines up to the offending offset by hand.
    const { offset, message } = shape.problem
    const before = source.text.slice(0, offset)
    const line = before.split('\n').length
    const column = offset - before.lastIndexOf('\n')
    return {
      documents: [],
      issues: [{ file: source.name, document: null, line, column, path: '', message }],
    }
  }
  const issues: FileIssue[] = []
  const parsed: ParsedDocument[] = []
  documents.forEach((yaml, i) => {
    const index = i + 1
    const problems = [...yaml.errors, ...yaml.warnings]
    for (const problem of problems) {
      issues.push(at(index, problem.pos[0], yamlMessage(problem.code, problem.message)))
    }
    if (problems.length > 0) return
    const keyProblems = checkNodes(yaml.contents, lineCounter)
    for (const key of keyProblems) issues.push(at(index, key.offset, key.message))
    // With a duplicate key, which value counts is a guess: check nothing else in this document.
    if (keyProblems.length === 0) parsed.push({ file: source.name, index, yaml, lineCounter })
  })
  return { documents: parsed, issues }
}

/**
 * The lexer's tokens, counted and checked as they go to the parser: past a limit the parser gets
 * no more, so a hostile file costs at most the limits' worth of parsing. One lexing pass, as
 * yaml's parseAllDocuments would do: a second pass only to check cost `area validate` 30 ms of
 * CPU at each start (docs/architecture.md, "CLI start-up").
 */
function* checkedTokens(text: string, shape: ShapeCheck, lineCounter: LineCounter) {
  const parser = new Parser(lineCounter.addNewLine)
  // What Parser.parse does before its first token.
  lineCounter.addNewLine(0)
  for (const token of new Lexer().lex(text)) {
    if (shape.add(token)) return
    yield* parser.next(token)
  }
  yield* parser.end()
}

/** The file's shape so far: tokens, documents and flow nesting, against the limits. */
class ShapeCheck {
  problem: { offset: number; message: string } | undefined
  #offset = 0
  #tokens = 0
  #depth = 0
  #documents = 0

  /** Counts one token; true when it breaks a limit (then `problem` says which, and where). */
  add(token: string): boolean {
    const offset = this.#offset
    if (++this.#tokens > MAX_YAML_TOKENS) {
      return this.#refuse(
        offset,
        `the file has more than ${MAX_YAML_TOKENS} YAML tokens; split it into several files`,
      )
    }
    if (token === '\x02' && ++this.#documents > MAX_DOCUMENTS) {
      return this.#refuse(
        offset,
        `the file has more than ${MAX_DOCUMENTS} documents; split it into several files`,
      )
    }
    if (token === '[' || token === '{') {
      if (++this.#depth > MAX_FLOW_DEPTH) {
        return this.#refuse(
          offset,
          `[ ] and { } are nested more than ${MAX_FLOW_DEPTH} levels deep; AREA files need a few`,
        )
      }
    } else if (token === ']' || token === '}') {
      this.#depth = Math.max(0, this.#depth - 1)
    }
    if (!markers.has(token)) this.#offset += token.length
    return false
  }

  #refuse(offset: number, message: string): true {
    this.problem = { offset, message }
    return true
  }
}

function yamlMessage(code: string, message: string): string {
  switch (code) {
    case 'TAG_RESOLVE_FAILED':
      return `${message}; AREA files use plain YAML values, without tags`
    default:
      return `YAML syntax: ${message}`
  }
}

/**
 * Duplicate keys, keys that are not text (`? [a]`; `1:` is fine, as the text "1"), and explicit
 * tags: `!!binary` or `!!timestamp` would make values that are not JSON.
 */
function checkNodes(root: Node | null, lineCounter: LineCounter): { offset: number; message: string }[] {
  const problems: { offset: number; message: string }[] = []
  const visit = (node: unknown): void => {
    if ((isMap(node) || isSeq(node) || isScalar(node)) && node.tag) {
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!')
      problems.push({
        offset: node.range?.[0] ?? 0,
        message: `the tag ${tag} is not supported: AREA files use plain YAML values, without tags`,
      })
    }
    if (isMap(node)) {
      const first = new Map<string, number>()
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = pair.key
        const offset = (key as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0
        if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
          problems.push({ offset, message: 'keys must be plain text, not lists, mappings or empty' })
        } else {
          const name = String(key.value)
          const previous = first.get(name)
          if (previous !== undefined) {
            problems.push({
              offset,
              message: `duplicate key "${name}": it is already set on line ${lineCounter.linePos(previous).line}; keep one`,
            })
          } else {
            first.set(name, offset)
          }
        }
        visit(pair.value)
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item)
    }
    // Aliases are visited where their anchor is defined.
    else if (isAlias(node)) return
  }
  visit(root)
  return problems
}
