/**
 * A problem found in an AREA file, located for people (file, line, column) and for tools (the
 * document number and the JSON pointer of the field).
 */
export interface FileIssue {
  /** The path as given on the command line (or inside a given directory), `<stdin>` for stdin. */
  file: string
  /** 1-based number of the YAML document in the file; null for problems with the file itself. */
  document: number | null
  /** 1-based line and column of the offending node; null when the file could not be read. */
  line: number | null
  column: number | null
  /** JSON pointer of the field in the document, e.g. `/spec/reactions/0/params/url`; '' for none. */
  path: string
  message: string
}

/** Orders issues as the files were given, then by position, so output is stable. */
export function sortIssues(issues: FileIssue[], fileOrder: readonly string[]): FileIssue[] {
  const rank = (file: string) => {
    const index = fileOrder.indexOf(file)
    return index < 0 ? fileOrder.length : index
  }
  return [...issues].sort(
    (a, b) =>
      rank(a.file) - rank(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      // By code unit, not localeCompare: the same order on every machine, and no ICU collator
      // to build (8 ms of a validate's start-up).
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  )
}

/** `file:line:col: warning: path: message`, as compilers print a warning. */
export function formatWarning(issue: FileIssue): string {
  const text = formatIssue(issue)
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`
  return `${where}: warning${text.slice(where.length)}`
}

/** `file:line:col: path: message`, the shape editors and CI annotators recognize. */
export function formatIssue(issue: FileIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`
}
