/**
 * Validates AREA files offline: loads them (load.ts), checks each document against the registry
 * (normalizeArea) and puts every issue at its file, document, line and column.
 */
import { type Issue, ValidationError } from '../engine/errors.js'
import type { Registry } from '../engine/registry.js'
import type { Env } from './env.js'
import { type FileIssue, sortIssues } from './file-issue.js'
import { type LoadOptions, type LoadResult, loadAreaFiles, loadSources } from './load.js'
import { type NormalizedArea, normalizeArea } from './normalize.js'
import { type SourceFile, STDIN_NAME } from './read-sources.js'

export interface ValidatedArea {
  file: string
  document: number
  line: number
  column: number
  area: NormalizedArea
}

export interface FilesValidation {
  valid: boolean
  /** The AREAs without any issue, in file order. */
  areas: ValidatedArea[]
  issues: FileIssue[]
  /** What is likely a mistake but may be meant (a type check's warnings): printed, not fatal. */
  warnings: FileIssue[]
  /** Every file read. */
  files: string[]
}

/** Reads the inputs of `-f` (files, directories, `-`) and validates them. */
export async function validateFiles(
  inputs: readonly string[],
  registry: Registry,
  env: Env = process.env,
  options: Omit<LoadOptions, 'env'> = {},
): Promise<FilesValidation> {
  return validateLoaded(await loadAreaFiles(inputs, { ...options, env }), registry)
}

/** Validates sources already in memory. */
export function validateSources(
  sources: readonly SourceFile[],
  registry: Registry,
  env: Env,
): FilesValidation {
  return validateLoaded(loadSources(sources, env), registry)
}

export function validateLoaded(loaded: LoadResult, registry: Registry): FilesValidation {
  const issues = [...loaded.issues]
  const warnings: FileIssue[] = []
  const candidates: ValidatedArea[] = []
  for (const document of loaded.documents) {
    const consequence = (path: string) =>
      document.unresolved.some((pointer) => path === pointer || path.startsWith(`${pointer}/`))
    const locateAll = (found: readonly Issue[], into: FileIssue[]) => {
      for (const issue of found) {
        if (consequence(issue.path)) continue
        // For an unknown field the key is at fault, not its value.
        const position = document.locate(
          issue.path,
          issue.message.startsWith('is not a known field') ? 'key' : 'auto',
          issue.offset,
        )
        into.push({
          file: document.file,
          document: document.index,
          ...position,
          path: issue.path,
          message: issue.message,
        })
      }
    }
    const documentWarnings: Issue[] = []
    try {
      candidates.push({
        file: document.file,
        document: document.index,
        ...document.position,
        area: normalizeArea(document.value, registry, documentWarnings),
      })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      locateAll(error.issues, issues)
    }
    locateAll(documentWarnings, warnings)
  }
  if (loaded.documents.length === 0 && issues.length === 0) {
    // Applying nothing (with --prune, deleting everything) is never what an empty input meant.
    issues.push({
      file: loaded.files[0] ?? STDIN_NAME,
      document: null,
      line: null,
      column: null,
      path: '',
      message: 'no AREA documents found: expected YAML documents with apiVersion: area/v1 and kind: Area',
    })
  }
  const faulty = new Set(issues.map((i) => `${i.file}\0${i.document}`))
  const areas = candidates.filter((a) => !faulty.has(`${a.file}\0${a.document}`))
  return {
    valid: issues.length === 0,
    areas,
    issues: sortIssues(issues, loaded.files),
    warnings: sortIssues(warnings, loaded.files),
    files: loaded.files,
  }
}
