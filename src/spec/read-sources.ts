/**
 * Reads the inputs of `-f`: files, directories of `*.yaml`/`*.yml` files, and `-` for stdin.
 * Directories are read one level deep unless `recursive` (as `kubectl apply -f dir -R`): nested
 * folders often hold other YAML (Helm charts, CI files) that is not AREAs. Entries are taken in
 * byte order of their names so the result does not depend on the locale; names starting with a
 * dot are skipped. Problems are returned as issues, not thrown: one unreadable file should not
 * hide the problems of the others.
 */
import { open, readdir, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FileIssue } from './file-issue.js'
import { MAX_FILE_BYTES, MAX_FILES } from './limits.js'

export interface SourceFile {
  /** What issues name: the path as given (joined under a given directory), or `<stdin>`. */
  name: string
  text: string
}

export interface ReadSourcesOptions {
  /** Descend into subdirectories of the given directories. */
  recursive?: boolean
  /** Where `-` reads from; defaults to process.stdin. */
  stdin?: AsyncIterable<Buffer | string>
  maxBytes?: number
  /**
   * Also list `*.test.yaml` files found in directories (area test). The AREA commands skip them,
   * so test files can sit beside the AREAs they test; a test file named directly is read anyway.
   */
  testFiles?: boolean
}

export const STDIN = '-'
/** How issues name stdin: `-:3:7` would read poorly. */
export const STDIN_NAME = '<stdin>'

const yamlName = /\.ya?ml$/i
/** `area test`'s files (src/testing/test-file.ts). */
export const testFileName = /\.test\.ya?ml$/i

export async function readSources(
  inputs: readonly string[],
  options: ReadSourcesOptions = {},
): Promise<{ sources: SourceFile[]; issues: FileIssue[]; files: string[] }> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES
  const sources: SourceFile[] = []
  const issues: FileIssue[] = []
  // The same file named twice (or a file and its directory) would report every AREA as a
  // duplicate of itself.
  const seen = new Set<string>()
  // Every name met, in order, readable or not: issues are reported in this order.
  const files: string[] = []
  const fileIssue = (file: string, message: string) => {
    if (!files.includes(file)) files.push(file)
    issues.push({ file, document: null, line: null, column: null, path: '', message })
  }
  const addSource = (name: string, text: string) => {
    files.push(name)
    sources.push({ name, text })
  }

  for (const input of inputs) {
    if (input === STDIN) {
      if (seen.has(STDIN)) continue
      seen.add(STDIN)
      const read = await readStream(options.stdin ?? process.stdin, maxBytes)
      if ('problem' in read) fileIssue(STDIN_NAME, read.problem)
      else addSource(STDIN_NAME, read.text)
      continue
    }
    let files: string[]
    try {
      const info = await stat(input)
      files = info.isDirectory()
        ? await listYamlFiles(input, options.recursive ?? false, options.testFiles ?? false)
        : [input]
    } catch (error) {
      fileIssue(input, describeFsError(error))
      continue
    }
    if (files.length === 0) {
      fileIssue(
        input,
        `no .yaml or .yml files in this directory${options.recursive ? ' or below it' : ' (add --recursive to read subdirectories)'}`,
      )
      continue
    }
    for (const file of files) {
      const key = await realpath(file).catch(() => file)
      if (seen.has(key)) continue
      seen.add(key)
      if (seen.size > MAX_FILES) {
        fileIssue(input, `more than ${MAX_FILES} files to read: name fewer files or directories`)
        return { sources, issues, files }
      }
      const read = await readFileBounded(file, maxBytes)
      if ('problem' in read) fileIssue(file, read.problem)
      else addSource(file, read.text)
    }
  }
  return { sources, issues, files }
}

async function listYamlFiles(dir: string, recursive: boolean, testFiles: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const files: string[] = []
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    // Symbolic links are followed, as when the file is named directly.
    const kind = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : entry
    if (!kind) continue
    if (kind.isFile() && yamlName.test(entry.name) && (testFiles || !testFileName.test(entry.name)))
      files.push(path)
    else if (kind.isDirectory() && recursive && entry.name !== 'node_modules') {
      files.push(...(await listYamlFiles(path, true, testFiles)))
    }
    if (files.length > MAX_FILES) break
  }
  return files
}

type ReadResult = { text: string } | { problem: string }

async function readFileBounded(path: string, maxBytes: number): Promise<ReadResult> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(path, 'r')
    const info = await handle.stat()
    if (!info.isFile()) return { problem: 'is not a regular file' }
    if (info.size > maxBytes) return { problem: tooLarge(info.size, maxBytes) }
    // Read one byte more than allowed: the file may have grown since stat.
    const buffer = Buffer.alloc(maxBytes + 1)
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > maxBytes) return { problem: tooLarge(length, maxBytes) }
    return decode(buffer.subarray(0, length))
  } catch (error) {
    return { problem: describeFsError(error) }
  } finally {
    await handle?.close()
  }
}

async function readStream(stream: AsyncIterable<Buffer | string>, maxBytes: number): Promise<ReadResult> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    length += buffer.length
    // Stop reading at once: the rest of an oversized input is never buffered.
    if (length > maxBytes) return { problem: tooLarge(length, maxBytes, 'stdin') }
    chunks.push(buffer)
  }
  return decode(Buffer.concat(chunks))
}

function decode(bytes: Buffer): ReadResult {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
  } catch {
    return { problem: 'is not UTF-8 text: save the file as UTF-8' }
  }
}

function tooLarge(size: number, maxBytes: number, what = 'the file'): string {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`
  const actual = what === 'stdin' ? `more than ${mib(maxBytes)}` : mib(size)
  return `${what} is ${actual}; AREA files are limited to ${mib(maxBytes)} each: split it into several files`
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'is a directory'
    default:
      return error instanceof Error ? error.message : String(error)
  }
}
