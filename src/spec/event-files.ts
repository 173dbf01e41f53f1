/**
 * The file forms of a declared event (`event: { schema: ./order.schema.json, example: ./order.json }`,
 * event-shape.ts), read by the CLI when it loads an AREA file, as it resolves `${VAR}`: the
 * document then holds the schema and example themselves, which is what the server stores and
 * `area export` prints. A name is relative to the AREA file's folder (the working directory for
 * stdin); the file is JSON or YAML.
 */
import { readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse } from 'yaml'
import { MAX_ALIAS_COUNT, MAX_FILE_BYTES } from './limits.js'
import { STDIN_NAME } from './read-sources.js'

export interface EventFileProblem {
  path: string
  message: string
}

const KEYS = ['schema', 'example'] as const

/** Replaces each file name under `spec.action.event` by the file's content, in place. */
export function readEventFiles(document: Record<string, unknown>, file: string): EventFileProblem[] {
  const event = child(child(child(document, 'spec'), 'action'), 'event')
  if (!event) return []
  const problems: EventFileProblem[] = []
  for (const key of KEYS) {
    const name = event[key]
    if (typeof name !== 'string' || name === '') continue
    const path = `/spec/action/event/${key}`
    const folder = file === STDIN_NAME ? process.cwd() : dirname(file)
    const target = resolve(folder, name)
    try {
      const size = statSync(target).size
      if (size > MAX_FILE_BYTES) {
        problems.push({ path, message: `${name} is ${size} bytes, more than the limit of ${MAX_FILE_BYTES}` })
        continue
      }
      const value: unknown = parse(readFileSync(target, 'utf8'), { maxAliasCount: MAX_ALIAS_COUNT })
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push({ path, message: `${name} does not hold a JSON object (a ${key} is one)` })
        continue
      }
      event[key] = value
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const reason =
        code === 'ENOENT'
          ? `there is no file ${target}`
          : `cannot read ${target}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
      problems.push({ path, message: `${reason} (a ${key} file is named relative to the AREA file)` })
    }
  }
  return problems
}

function child(value: unknown, key: string): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const inner = (value as Record<string, unknown>)[key]
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner)
    ? (inner as Record<string, unknown>)
    : undefined
}
