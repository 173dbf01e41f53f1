/**
 * A test case's expectations checked against what the engine did (offline-run.ts). Each failure
 * names the expectation's file:line:column, what was expected and what the run gave. Params
 * match partially by default (`params`: the keys written must match, others are ignored; lists
 * item by item) or exactly (`params_exact`); `<secret>` matches any redacted secret.
 */
import { canonicalJson } from '../engine/canonical-json.js'
import { placeholderFingerprint } from '../engine/secret-params.js'
import type { JsonValue } from '../engine/types.js'
import type { AreaRun, ReactionRecord } from './offline-run.js'
import type { ReactionExpectationSpec, TestCase, TestFile } from './test-file.js'

export interface ExpectationFailure {
  file: string
  line: number | null
  column: number | null
  /** The expectation's JSON pointer in the test file. */
  path: string
  message: string
  expected?: unknown
  got?: unknown
}

/** What a case without `expect.status` may end as: not failed, unless a mock makes something fail. */
function defaultStatus(test: TestCase): string | undefined {
  const mocks = Object.values(test.spec.mocks ?? {})
  const failing = mocks.some((m) => m.error !== undefined || m.items?.some((i) => i.error !== undefined))
  return failing ? undefined : 'not failed'
}

export function checkCase(file: TestFile, test: TestCase, run: AreaRun): ExpectationFailure[] {
  const failures: ExpectationFailure[] = []
  const expect = test.spec.expect ?? {}
  const base = `${test.pointer}/expect`
  const fail = (path: string, message: string, expected?: unknown, got?: unknown) => {
    const { line, column } = file.locate(path)
    failures.push({
      file: file.file,
      line,
      column,
      path,
      message,
      ...(expected === undefined ? {} : { expected }),
      ...(got === undefined ? {} : { got }),
    })
  }
  if (expect.status !== undefined) {
    if (run.status !== expect.status)
      fail(`${base}/status`, `the run ended ${run.status}${runWhy(run)}`, expect.status, run.status)
  } else if (defaultStatus(test) && run.status === 'failed') {
    fail(test.pointer, `the run failed: ${run.error}`, 'done or skipped', 'failed')
  }
  if (expect.reason !== undefined && !(run.reason ?? '').includes(expect.reason))
    fail(`${base}/reason`, 'the reason the event was skipped differs', expect.reason, run.reason ?? null)
  if (expect.order !== undefined) {
    const ran = run.reactions
      .filter((r) => r.status === 'succeeded' || r.status === 'failed')
      .map((r) => r.id)
    if (canonicalJson(ran) !== canonicalJson(expect.order))
      fail(`${base}/order`, 'the reactions ran in another order, or others ran', expect.order, ran)
  }
  for (const [id, expectation] of Object.entries(expect.reactions ?? {})) {
    const record = run.reactions.find((r) => r.id === id)
    if (record) checkReaction(`${base}/reactions/${pointerKey(id)}`, record, expectation, fail)
  }
  return failures
}

type Fail = (path: string, message: string, expected?: unknown, got?: unknown) => void

function checkReaction(path: string, record: ReactionRecord, expected: ReactionExpectationSpec, fail: Fail) {
  const id = `"${record.id}"`
  if (expected.status !== undefined && record.status !== expected.status) {
    const why = record.reason ?? record.error
    fail(`${path}/status`, `${id} ${record.status}${why ? ` (${why})` : ''}`, expected.status, record.status)
  }
  if (expected.reason !== undefined && !(record.reason ?? '').includes(expected.reason))
    fail(`${path}/reason`, `${id}: the reason is not as expected`, expected.reason, record.reason ?? null)
  if (expected.error !== undefined && !(record.error ?? '').includes(expected.error))
    fail(`${path}/error`, `${id}: the error is not as expected`, expected.error, record.error ?? null)
  if (expected.params !== undefined) {
    const mismatch = partialMismatch(expected.params as JsonValue, record.params, '')
    if (mismatch)
      fail(
        `${path}/params${mismatch.at}`,
        `${id}: params${dotted(mismatch.at)} is not as expected`,
        mismatch.expected,
        mismatch.got ?? null,
      )
  }
  if (expected.params_exact !== undefined && !exactMatch(expected.params_exact as JsonValue, record.params))
    fail(
      `${path}/params_exact`,
      `${id}: params are not exactly as expected`,
      expected.params_exact,
      record.params ?? null,
    )
  if (expected.items !== undefined) {
    const items = record.items ?? []
    if (typeof expected.items === 'number') {
      if (items.length !== expected.items)
        fail(`${path}/items`, `${id} ran ${items.length} for_each items`, expected.items, items.length)
    } else {
      const got = items.map((i) => i.params ?? null)
      const mismatch = partialMismatch(expected.items as JsonValue, got, '')
      if (mismatch)
        fail(
          `${path}/items${mismatch.at}`,
          `${id}: items${dotted(mismatch.at)} are not as expected`,
          mismatch.expected,
          mismatch.got ?? null,
        )
    }
  }
}

function runWhy(run: AreaRun): string {
  const why = run.reason ?? run.error
  return why ? ` (${why})` : ''
}

/** `/headers/X-Id` → `.headers.X-Id`, as people read a path into params. */
function dotted(pointer: string): string {
  return pointer.replaceAll('~1', '/').replaceAll('~0', '~').replaceAll('/', '.')
}

function pointerKey(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1')
}

interface Mismatch {
  at: string
  expected: JsonValue
  got: JsonValue | undefined
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** `<secret>` in an expectation stands for any redacted secret. */
function sameLeaf(expected: JsonValue, got: JsonValue | undefined): boolean {
  if (expected === '<secret>') return placeholderFingerprint(got) !== undefined
  return got !== undefined && canonicalJson(expected) === canonicalJson(got)
}

/** The first place where `got` does not hold `expected` (objects: the keys written; lists: every item). */
export function partialMismatch(
  expected: JsonValue,
  got: JsonValue | undefined,
  at: string,
): Mismatch | undefined {
  if (isObject(expected)) {
    if (!isObject(got)) return { at, expected, got }
    for (const [key, value] of Object.entries(expected)) {
      const found = partialMismatch(value, got[key], `${at}/${pointerKey(key)}`)
      if (found) return found
    }
    return undefined
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(got) || got.length !== expected.length) return { at, expected, got }
    for (const [i, value] of expected.entries()) {
      const found = partialMismatch(value, got[i], `${at}/${i}`)
      if (found) return found
    }
    return undefined
  }
  return sameLeaf(expected, got) ? undefined : { at, expected, got }
}

function exactMatch(expected: JsonValue, got: JsonValue | undefined): boolean {
  if (isObject(expected))
    return (
      isObject(got) &&
      Object.keys(expected).length === Object.keys(got).length &&
      Object.entries(expected).every(([k, v]) => exactMatch(v, got[k]))
    )
  if (Array.isArray(expected))
    return (
      Array.isArray(got) && got.length === expected.length && expected.every((v, i) => exactMatch(v, got[i]))
    )
  return sameLeaf(expected, got)
}
