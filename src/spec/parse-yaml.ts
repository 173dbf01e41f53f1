/**
 * Parses one AREA file into YAML documents that keep their source positions, refusing what is
 * unsafe or ambiguous before anything reads the values: too many tokens, deep flow nesting,
 * syntax errors, duplicate or non-text keys, unknown tags. Aliases are kept (they are handy to
 * share headers) and bounded when the document is turned into plain values.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  parseAllDocuments,
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

  const shape = checkShape(source.text)
  if (shape) {
    // The line counter fills while parsing; count lines up to the offending offset by hand.
    const before = source.text.slice(0, shape.offset)
    const line = before.split('\n').length
    const column = shape.offset - before.lastIndexOf('\n')
    return {
      documents: [],
      issues: [{ file: source.name, document: null, line, column, path: '', message: shape.message }],
    }
  }

  // `schema: 'core'` wins over a `%YAML 1.1` directive, so `yes` and `2001-12-14` stay strings;
  // explicit tags (`!!binary`, `!!set`) are refused below: the values are plain JSON. Duplicate
  // keys are checked below too, in linear time: the parser's own check is quadratic.
  const documents = parseAllDocuments(source.text, {
    lineCounter,
    schema: 'core',
    uniqueKeys: false,
    prettyErrors: false,
    keepSourceTokens: false,
  })
  const issues: FileIssue[] = []
  const parsed: ParsedDocument[] = []
  if (!Array.isArray(documents)) {
    // An EmptyStream: a file with no document at all.
    return { documents: [], issues: [] }
  }
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

/** A cheap pass over the lexer's tokens (linear time) before the costlier composition. */
function checkShape(text: string): { offset: number; message: string } | undefined {
  let offset = 0
  let tokens = 0
  let depth = 0
  let documents = 0
  for (const token of new Lexer().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS) {
      return {
        offset,
        message: `the file has more than ${MAX_YAML_TOKENS} YAML tokens; split it into several files`,
      }
    }
    if (token === '\x02' && ++documents > MAX_DOCUMENTS) {
      return {
        offset,
        message: `the file has more than ${MAX_DOCUMENTS} documents; split it into several files`,
      }
    }
    if (token === '[' || token === '{') {
      if (++depth > MAX_FLOW_DEPTH) {
        return {
          offset,
          message: `[ ] and { } are nested more than ${MAX_FLOW_DEPTH} levels deep; AREA files need a few`,
        }
      }
    } else if (token === ']' || token === '}') {
      depth = Math.max(0, depth - 1)
    }
    if (!markers.has(token)) offset += token.length
  }
  return undefined
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
