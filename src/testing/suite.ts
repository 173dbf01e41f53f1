/**
 * `area test`: reads the inputs (AREA files and `*.test.yaml` test files, from files and
 * directories as `-f` reads them), validates the AREAs as `area validate` does, then runs each
 * test case, and each AREA no case covers on its example event (or on `--event`), offline.
 * Invalid input (an AREA file, a test file, an event file) is thrown as a CliError with every
 * problem at its file:line:column (exit 3); a failed expectation is a result (exit 1).
 */
import { readFile } from 'node:fs/promises'
import { didYouMean } from '../engine/did-you-mean.js'
import type { Issue } from '../engine/errors.js'
import { shapeIssues } from '../engine/params.js'
import type { Registry } from '../engine/registry.js'
import type { JsonObject } from '../engine/types.js'
import { CliError } from '../lib/cli-error.js'
import { ExitCode } from '../lib/exit-codes.js'
import type { Env } from '../spec/env.js'
import { type FileIssue, formatIssue, sortIssues } from '../spec/file-issue.js'
import { MAX_FILE_BYTES } from '../spec/limits.js'
import { readSources, type SourceFile } from '../spec/read-sources.js'
import { type ValidatedArea, validateSources } from '../spec/validate-files.js'
import { exampleEventOf } from './example-event.js'
import { checkCase, type ExpectationFailure } from './expectations.js'
import { type AreaRun, type Mock, runFingerprint, runOffline } from './offline-run.js'
import { eventFilePath, parseTestFile, type TestCase, type TestFile, testFileName } from './test-file.js'

export interface SuiteOptions {
  inputs: readonly string[]
  recursive: boolean
  /** `--event`: the event of every AREA no test case covers (and with `example`, of all). */
  eventFile?: string
  /** `--example`: every AREA also runs on its action's example event, test cases or not. */
  example: boolean
  env: Env
}

export interface CaseResult {
  /** The case's name, or how a plain run got its event. */
  name: string
  area: string
  /** The AREA's file:line. */
  areaAt: string
  /** The test case's file and line; absent for a run without a test file. */
  file?: string
  line?: number | null
  /** Where the event came from: `example`, `inline` or the JSON file's path. */
  event: string
  run: AreaRun
  passed: boolean
  failures: ExpectationFailure[]
}

export interface SuiteResult {
  passed: boolean
  cases: CaseResult[]
  /** Every file read. */
  files: string[]
}

export async function runSuite(options: SuiteOptions, registry: Registry): Promise<SuiteResult> {
  const issues: FileIssue[] = []
  const first = await readSources(options.inputs, { recursive: options.recursive, testFiles: true })
  issues.push(...first.issues)
  const testFiles: TestFile[] = []
  for (const source of first.sources.filter((s) => testFileName.test(s.name))) {
    const parsed = parseTestFile(source)
    issues.push(...parsed.issues)
    if (parsed.file) testFiles.push(parsed.file)
  }
  // The AREA files the test files name are read too, once (readSources skips a file read already).
  const named = testFiles.flatMap((t) => (t.areaFile ? [t.areaFile] : []))
  const read =
    named.length > 0
      ? await readSources([...options.inputs, ...named], { recursive: options.recursive, testFiles: true })
      : first
  if (read !== first) issues.push(...read.issues.filter((i) => named.includes(i.file)))
  const areaSources = read.sources.filter((s) => !testFileName.test(s.name))
  const validation = areaSources.length > 0 ? validateSources(areaSources, registry, options.env) : undefined
  if (validation) issues.push(...validation.issues)
  if (areaSources.length === 0 && issues.length === 0)
    issues.push(
      fileLevel(
        first.files[0] ?? '-',
        'no AREA files found: name AREA files (*.yaml) or a folder holding them',
      ),
    )
  const areas = validation?.areas ?? []
  const flagEvent = options.eventFile ? await readEvent(options.eventFile, issues, null) : undefined

  const plan: (() => Promise<CaseResult>)[] = []
  const fingerprint = runFingerprint()
  const covered = new Set<string>()
  for (const testFile of testFiles) {
    const area = areas.find((a) => a.area.name === testFile.area)
    if (!area) {
      const known = areas.map((a) => a.area.name)
      const also = validation?.valid === false ? ' (or it is among the invalid ones)' : ''
      issues.push(
        at(
          testFile,
          '/area',
          `no AREA "${testFile.area}" in the AREA files read${also}${hint(testFile.area, known)}`,
        ),
      )
      continue
    }
    covered.add(area.area.name)
    for (const test of testFile.cases) {
      const caseIssues = [
        ...checkRefs(testFile, test, area),
        ...checkMockOutputs(testFile, test, area, registry),
      ]
      issues.push(...caseIssues)
      const event = await caseEvent(testFile, test, area, registry, issues)
      if (caseIssues.length > 0 || !event) continue
      plan.push(async () => {
        const run = await runOffline(
          registry,
          area.area,
          event.value,
          (test.spec.mocks ?? {}) as Record<string, Mock>,
          fingerprint,
        )
        const failures = checkCase(testFile, test, run)
        return {
          name: test.spec.name,
          area: area.area.name,
          areaAt: `${area.file}:${area.line}`,
          file: testFile.file,
          line: test.position.line,
          event: event.from,
          run,
          passed: failures.length === 0,
          failures,
        }
      })
    }
  }
  for (const area of areas) {
    if (covered.has(area.area.name) && !options.example && !flagEvent) continue
    const example = exampleEventOf(registry, area.area)
    const runs: { from: string; value: JsonObject | undefined }[] = []
    if (flagEvent) runs.push({ from: options.eventFile as string, value: flagEvent })
    if (options.example || !flagEvent) runs.push({ from: 'example', value: example })
    for (const { from, value } of runs) {
      if (!value) {
        issues.push({
          file: area.file,
          document: area.document,
          line: area.line,
          column: area.column,
          path: '/spec/action',
          message: `${area.area.action.service}.${area.area.action.action} declares no example event: give one with --event FILE or a test file`,
        })
        continue
      }
      plan.push(async () => {
        const run = await runOffline(registry, area.area, value, {}, fingerprint)
        const failures: ExpectationFailure[] =
          run.status === 'failed'
            ? [
                {
                  file: area.file,
                  line: area.line,
                  column: area.column,
                  path: '',
                  message: `the run failed: ${run.error}`,
                },
              ]
            : []
        return {
          name: from === 'example' ? 'example event' : `event ${from}`,
          area: area.area.name,
          areaAt: `${area.file}:${area.line}`,
          event: from,
          run,
          passed: failures.length === 0,
          failures,
        }
      })
    }
  }
  if (issues.length > 0) throw invalidInput(sortIssues(issues, read.files))
  const cases: CaseResult[] = []
  // One at a time: the output's order is the files' order, whatever the runs take.
  for (const runCase of plan) cases.push(await runCase())
  return { passed: cases.every((c) => c.passed), cases, files: read.files }
}

/** Mocks and expectations name reactions of the AREA: a typo would make a test pass vacuously. */
function checkRefs(testFile: TestFile, test: TestCase, area: ValidatedArea): FileIssue[] {
  const ids = area.area.reactions.map((r) => r.ref)
  const issues: FileIssue[] = []
  const check = (pointer: string, keys: string[]) => {
    for (const key of keys)
      if (!ids.includes(key))
        issues.push(
          at(
            testFile,
            `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
            `no reaction "${key}" in AREA "${area.area.name}"${hint(key, ids)} (reactions: ${ids.join(', ')})`,
          ),
        )
  }
  check(`${test.pointer}/mocks`, Object.keys(test.spec.mocks ?? {}))
  check(`${test.pointer}/expect/reactions`, Object.keys(test.spec.expect?.reactions ?? {}))
  for (const ref of test.spec.expect?.order ?? [])
    if (!ids.includes(ref)) check(`${test.pointer}/expect/order`, [ref])
  return issues
}

/**
 * A mock's output must be what its reaction can return (its declared `output`): templates that
 * read it then see what they would see on a server, not a shape no service sends.
 */
function checkMockOutputs(
  testFile: TestFile,
  test: TestCase,
  area: ValidatedArea,
  registry: Registry,
): FileIssue[] {
  const issues: FileIssue[] = []
  for (const [ref, mock] of Object.entries(test.spec.mocks ?? {})) {
    const spec = area.area.reactions.find((r) => r.ref === ref)
    const schema = spec && registry.reaction(spec.service, spec.reaction)?.output
    if (!spec || !schema) continue
    const base = `${test.pointer}/mocks/${ref.replaceAll('~', '~0').replaceAll('/', '~1')}`
    const outputs: [string, unknown][] = [
      ...('output' in mock ? [[`${base}/output`, mock.output] as [string, unknown]] : []),
      ...(mock.items ?? []).flatMap((item, i) =>
        'output' in item ? [[`${base}/items/${i}/output`, item.output] as [string, unknown]] : [],
      ),
    ]
    for (const [pointer, output] of outputs)
      for (const problem of shapeIssues(schema, output, pointer))
        issues.push(
          at(
            testFile,
            problem.path,
            `${problem.message} (what ${spec.service}.${spec.reaction} returns: \`area services describe ${spec.service}\`)`,
          ),
        )
  }
  return issues
}

async function caseEvent(
  testFile: TestFile,
  test: TestCase,
  area: ValidatedArea,
  registry: Registry,
  issues: FileIssue[],
): Promise<{ from: string; value: JsonObject } | undefined> {
  const { spec } = test
  if (spec.event) return { from: 'inline', value: spec.event as JsonObject }
  if (spec.event_file) {
    const path = eventFilePath(testFile, spec.event_file)
    const value = await readEvent(path, issues, at(testFile, `${test.pointer}/event_file`, ''))
    return value ? { from: path, value } : undefined
  }
  const example = exampleEventOf(registry, area.area)
  if (!example)
    issues.push(
      at(
        testFile,
        `${test.pointer}/example`,
        `${area.area.action.service}.${area.area.action.action} declares no example event: write the event under \`event:\``,
      ),
    )
  return example ? { from: 'example', value: example } : undefined
}

/**
 * An event file: one JSON object (what `area logs <event-id> --event` writes). `where` is the
 * test file's line that names it; null for `--event`.
 */
async function readEvent(
  path: string,
  issues: FileIssue[],
  where: FileIssue | null,
): Promise<JsonObject | undefined> {
  const problem = (message: string) => {
    issues.push(where ? { ...where, message: `${path}: ${message}` } : fileLevel(path, `--event: ${message}`))
    return undefined
  }
  let text: string
  try {
    const bytes = await readFile(path)
    if (bytes.length > MAX_FILE_BYTES)
      return problem(`the event file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`)
    text = bytes.toString('utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return problem(
      code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (error as Error).message})`,
    )
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return problem(`not JSON: ${(error as Error).message}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return problem(
      'the event must be a JSON object (e.g. what `area logs <event-id> --event` writes), not ' +
        (Array.isArray(value) ? 'a list' : JSON.stringify(value)),
    )
  return value as JsonObject
}

function at(testFile: TestFile, pointer: string, message: string): FileIssue {
  const { line, column } = testFile.locate(pointer)
  return { file: testFile.file, document: 1, line, column, path: pointer, message }
}

function fileLevel(file: string, message: string): FileIssue {
  return { file, document: null, line: null, column: null, path: '', message }
}

function hint(word: string, known: readonly string[]): string {
  return didYouMean(word, known)
}

/** Exit 3 with every problem, each at file:line:column, as `apply` reports invalid files. */
function invalidInput(issues: FileIssue[]): CliError {
  const count = issues.length
  return new CliError(`${count} problem${count === 1 ? '' : 's'} in the files to test; nothing was run`, {
    exitCode: ExitCode.invalid,
    code: 'validation_failed',
    issues: issues.map((issue): Issue => {
      const text = formatIssue(issue)
      const cut = text.lastIndexOf(`: ${issue.message}`)
      return { path: text.slice(0, cut), message: issue.message }
    }),
  })
}

export type { SourceFile }
