/**
 * Test files (`*.test.yaml`): the AREA they test, and cases, each an event, mocks by reaction id
 * and expectations. Parsed with the AREA files' own YAML reader (same limits, positions kept), so
 * every problem, and later every failed expectation, names its file:line:column. The format is in
 * the README, "Testing AREAs offline (`area test`)".
 */
import { dirname, isAbsolute, join } from 'node:path'
import { type Static, Type } from '@sinclair/typebox'
import type { Issue } from '../engine/errors.js'
import { shapeIssues } from '../engine/params.js'
import type { FileIssue } from '../spec/file-issue.js'
import { MAX_ALIAS_COUNT } from '../spec/limits.js'
import { parseYamlFile } from '../spec/parse-yaml.js'
import { locate, type Position } from '../spec/positions.js'
import type { SourceFile } from '../spec/read-sources.js'

/** A test file's name: beside the AREA files, told apart by its name. */
export { testFileName } from '../spec/read-sources.js'

const Outcome = Type.Object(
  {
    output: Type.Optional(Type.Unknown({ description: 'What the reaction answers' })),
    error: Type.Optional(Type.String({ minLength: 1, description: 'The reaction fails with this message' })),
  },
  { additionalProperties: false },
)

const MockSchema = Type.Object(
  {
    ...Outcome.properties,
    items: Type.Optional(
      Type.Array(Outcome, { description: 'A for_each reaction: the answer of each item, by index' }),
    ),
  },
  { additionalProperties: false },
)

const ReactionStatusSchema = Type.Union([
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('skipped'),
  Type.Literal('not_run'),
])

const ReactionExpectation = Type.Object(
  {
    status: Type.Optional(ReactionStatusSchema),
    params: Type.Optional(Type.Unknown({ description: 'The rendered params hold these (partial match)' })),
    params_exact: Type.Optional(Type.Unknown({ description: 'The rendered params are exactly these' })),
    items: Type.Optional(
      Type.Union([
        Type.Integer({ minimum: 0, description: 'How many for_each items' }),
        Type.Array(Type.Unknown(), { description: "Each item's rendered params (partial match)" }),
      ]),
    ),
    reason: Type.Optional(Type.String({ description: 'The skip or not-run reason contains this' })),
    error: Type.Optional(Type.String({ description: 'The error contains this' })),
  },
  { additionalProperties: false },
)

const CaseSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    event: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    event_file: Type.Optional(Type.String({ minLength: 1 })),
    example: Type.Optional(Type.Literal(true)),
    mocks: Type.Optional(Type.Record(Type.String(), MockSchema)),
    expect: Type.Optional(
      Type.Object(
        {
          status: Type.Optional(
            Type.Union([Type.Literal('done'), Type.Literal('skipped'), Type.Literal('failed')]),
          ),
          reason: Type.Optional(Type.String()),
          order: Type.Optional(
            Type.Array(Type.String(), { description: 'The reactions that ran, in order' }),
          ),
          reactions: Type.Optional(Type.Record(Type.String(), ReactionExpectation)),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

const TestFileSchema = Type.Object(
  {
    file: Type.Optional(Type.String({ minLength: 1, description: 'The AREA file, from this file' })),
    area: Type.String({ minLength: 1, description: 'The AREA (metadata.name) the cases run' }),
    tests: Type.Array(CaseSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
)

export type TestCaseSpec = Static<typeof CaseSchema>
export type ReactionExpectationSpec = Static<typeof ReactionExpectation>

export interface TestFile {
  file: string
  /** The AREA file it names, resolved from the test file's folder. */
  areaFile: string | undefined
  area: string
  cases: TestCase[]
  /** Where the field at a JSON pointer is written. */
  locate(pointer: string): Position
}

export interface TestCase {
  spec: TestCaseSpec
  /** `/tests/<i>`: the pointer expectations are under. */
  pointer: string
  position: Position
}

/** Parses one test file; problems are FileIssues (exit 3), none of the file is used then. */
export function parseTestFile(source: SourceFile): { file?: TestFile; issues: FileIssue[] } {
  const parsed = parseYamlFile(source)
  if (parsed.issues.length > 0) return { issues: parsed.issues }
  const documents = parsed.documents.filter((d) => d.yaml.contents !== null)
  const at = (
    document: number | null,
    position: Position | null,
    path: string,
    message: string,
  ): FileIssue => ({
    file: source.name,
    document,
    line: position?.line ?? null,
    column: position?.column ?? null,
    path,
    message,
  })
  const [document] = documents
  if (!document || documents.length > 1) {
    const message = document
      ? 'a test file holds one document: put its cases under `tests:`'
      : 'empty test file: expected `area:` and `tests:` (README, "Testing AREAs offline")'
    return { issues: [at(null, null, '', message)] }
  }
  const where = (pointer: string) => locate(document.yaml, document.lineCounter, pointer)
  let value: unknown
  try {
    value = document.yaml.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (error) {
    return {
      issues: [at(document.index, where(''), '', `cannot read the test file: ${(error as Error).message}`)],
    }
  }
  const problems: Issue[] = shapeIssues(TestFileSchema, value, '')
  if (problems.length > 0)
    return { issues: problems.map((p) => at(document.index, where(p.path), p.path, p.message)) }
  const spec = value as Static<typeof TestFileSchema>
  // A case with no event or two is reported; the others are still checked against the AREA.
  const issues: FileIssue[] = []
  const cases: TestCase[] = []
  spec.tests.forEach((test, i) => {
    const pointer = `/tests/${i}`
    const sources = [test.event, test.event_file, test.example].filter((s) => s !== undefined).length
    if (sources === 1) cases.push({ spec: test, pointer, position: where(pointer) })
    else
      issues.push(
        at(
          document.index,
          where(pointer),
          pointer,
          `give the event one way: \`event:\` (inline), \`event_file:\` (a JSON file) or \`example: true\` (the action's example)${sources > 1 ? `, not ${sources}` : ''}`,
        ),
      )
  })
  const folder = dirname(source.name)
  return {
    issues,
    file: {
      file: source.name,
      areaFile: spec.file === undefined ? undefined : fromFolder(folder, spec.file),
      area: spec.area,
      cases,
      locate: where,
    },
  }
}

/** An event file's path, from the test file's folder. */
export function eventFilePath(testFile: TestFile, path: string): string {
  return fromFolder(dirname(testFile.file), path)
}

function fromFolder(folder: string, path: string): string {
  return isAbsolute(path) ? path : join(folder, path)
}
