/**
 * Loads AREA files: reads the inputs (files, directories, `-` for stdin), parses every YAML
 * document with its source positions, resolves `${VAR}` references and returns plain values
 * that each know where their fields are written. Everything that makes a file unsafe or
 * ambiguous is refused here, before any AREA is checked: see parse-yaml.ts and limits.ts.
 * Empty documents (a stray `---`, only comments) are skipped.
 */
import { isScalar } from 'yaml'
import { type Env, substituteEnvInDocument } from './env.js'
import { readEventFiles } from './event-files.js'
import type { FileIssue } from './file-issue.js'
import { MAX_ALIAS_COUNT } from './limits.js'
import { type ParsedDocument, parseYamlFile } from './parse-yaml.js'
import { type LocateTarget, locate, type Position } from './positions.js'
import { type ReadSourcesOptions, readSources, type SourceFile } from './read-sources.js'

export interface LoadedDocument {
  file: string
  /** 1-based number of the document in its file. */
  index: number
  /** The document's values, `${VAR}` resolved. */
  value: Record<string, unknown>
  /** Where the document's content starts. */
  position: Position
  /** Where the field at a JSON pointer is written (its parent when the field is missing). */
  locate(pointer: string, target?: LocateTarget, inner?: number): Position
  /**
   * Pointers of values whose `${VAR}` could not be resolved (already reported): their value is
   * incomplete, so other problems found at them are consequences, not news.
   */
  unresolved: string[]
}

export interface LoadResult {
  documents: LoadedDocument[]
  issues: FileIssue[]
  /** Every file read, in order: also those without documents. */
  files: string[]
}

export interface LoadOptions extends ReadSourcesOptions {
  env?: Env
}

/** Reads and loads the inputs of `-f`. */
export async function loadAreaFiles(
  inputs: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const read = await readSources(inputs, options)
  const loaded = loadSources(read.sources, options.env ?? process.env)
  return {
    documents: loaded.documents,
    issues: [...read.issues, ...loaded.issues],
    files: read.files,
  }
}

/** Loads sources already in memory. */
export function loadSources(sources: readonly SourceFile[], env: Env): LoadResult {
  const documents: LoadedDocument[] = []
  const issues: FileIssue[] = []
  for (const source of sources) {
    const parsed = parseYamlFile(source)
    issues.push(...parsed.issues)
    for (const document of parsed.documents) {
      const loaded = loadDocument(document, source.text, env, issues)
      if (loaded) documents.push(loaded)
    }
  }
  issues.push(...duplicateNames(documents))
  return { documents, issues, files: sources.map((s) => s.name) }
}

function loadDocument(
  document: ParsedDocument,
  text: string,
  env: Env,
  issues: FileIssue[],
): LoadedDocument | undefined {
  const { yaml, lineCounter, file, index } = document
  const contents = yaml.contents
  if (contents === null || (isScalar(contents) && contents.value === null)) return undefined
  const locateIn = (pointer: string, target?: LocateTarget, inner?: number) =>
    locate(yaml, lineCounter, pointer, target, inner)
  const issueAt = (offset: number, path: string, message: string): FileIssue => {
    const { line, col } = lineCounter.linePos(offset)
    return { file, document: index, line, column: col, path, message }
  }
  const start = contents.range?.[0] ?? yaml.range[0]

  // The document is still checked: its other problems are reported in the same run.
  const envProblems = substituteEnvInDocument(yaml, env, text)
  for (const problem of envProblems) issues.push(issueAt(problem.offset, problem.path, problem.message))

  let value: unknown
  try {
    value = yaml.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (error) {
    const message =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? `aliases (*name) expand to too many values (limit ${MAX_ALIAS_COUNT}): write the values out instead of nesting aliases`
        : `cannot read the document: ${error instanceof Error ? error.message : String(error)}`
    issues.push(issueAt(start, '', message))
    return undefined
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'a list' : `the ${typeof value} ${JSON.stringify(value)}`
    issues.push(
      issueAt(
        start,
        '',
        `document is ${kind}, not an AREA: expected a mapping with apiVersion, kind, metadata and spec`,
      ),
    )
    return undefined
  }
  // The event's file forms, read here like ${VAR}: the server only sees what they hold.
  const fileProblems = readEventFiles(value as Record<string, unknown>, file)
  for (const problem of fileProblems) {
    const at = locateIn(problem.path)
    issues.push({ file, document: index, line: at.line, column: at.column, ...problem })
  }
  const { line, col } = lineCounter.linePos(start)
  return {
    file,
    index,
    value: value as Record<string, unknown>,
    position: { line, column: col },
    locate: locateIn,
    unresolved: [...new Set([...envProblems, ...fileProblems].map((p) => p.path))],
  }
}

/** `metadata.name` is the apply key: two documents with one name would overwrite each other. */
function duplicateNames(documents: readonly LoadedDocument[]): FileIssue[] {
  const issues: FileIssue[] = []
  const first = new Map<string, { document: LoadedDocument; position: Position }>()
  for (const document of documents) {
    const metadata = document.value.metadata
    const name =
      metadata !== null && typeof metadata === 'object'
        ? (metadata as Record<string, unknown>).name
        : undefined
    if (typeof name !== 'string' || document.unresolved.includes('/metadata/name')) continue
    const position = document.locate('/metadata/name')
    const earlier = first.get(name)
    if (!earlier) {
      first.set(name, { document, position })
      continue
    }
    const where = `${earlier.document.file}:${earlier.position.line}:${earlier.position.column} (document ${earlier.document.index})`
    issues.push({
      file: document.file,
      document: document.index,
      line: position.line,
      column: position.column,
      path: '/metadata/name',
      message: `the name "${name}" is already used at ${where}: names are the apply key and must be unique; rename one`,
    })
  }
  return issues
}
