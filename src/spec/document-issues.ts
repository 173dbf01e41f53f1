/**
 * The document schema's errors (document.ts) as one plain issue per field: the messages come
 * from schema-messages.ts; here the union of the trigger's forms is read as the user meant it,
 * and the apiVersion names the versions this build reads.
 */
import type { ErrorObject } from 'ajv'
import { closest, didYouMean } from '../engine/did-you-mean.js'
import type { Issue } from '../engine/errors.js'
import { got, oneOf, plainMessage } from '../engine/schema-messages.js'
import { apiVersion } from './document.js'

export const supportedApiVersions = [apiVersion] as const

export function documentIssues(errors: readonly ErrorObject[]): Issue[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf')
  const inside = (e: ErrorObject, union: ErrorObject) =>
    e !== union && e.schemaPath.startsWith(`${union.schemaPath}/`)
  const dropped = new Set<ErrorObject>()
  const issues: Issue[] = []
  for (const union of unions) {
    const branches = (union.schema ?? []) as Record<string, unknown>[]
    const members = errors.filter((e) => inside(e, union))
    for (const e of members) dropped.add(e)
    dropped.add(union)
    const value = union.data
    const isMapping = value !== null && typeof value === 'object' && !Array.isArray(value)
    const objectBranches = branches.flatMap((b, i) => (b.type === 'object' ? [i] : []))
    if (isMapping && objectBranches.length > 0) {
      // A mapping can only mean the mapping form: what is wrong inside it is the news.
      const kept = members.filter((e) =>
        objectBranches.some((i) => e.schemaPath.startsWith(`${union.schemaPath}/${i}/`)),
      )
      for (const e of kept) dropped.delete(e)
      continue
    }
    const constants = branches.filter((b) => b.const !== undefined).map((b) => b.const)
    const shapes = branches.filter((b) => b.const === undefined).map(shapeOf)
    const message =
      shapes.length === 0
        ? oneOf(constants, value)
        : `${oneOf([...constants, ...shapes], undefined)}${got(value)}${didYouMean(value, constants.map(String))}`
    issues.push({ path: union.instancePath, message })
  }
  // `poling:` for `polling:` is one mistake: the unknown key says it, not also "polling is required".
  const misspelt = (error: ErrorObject) => {
    if (error.keyword !== 'required') return false
    const missing = String((error.params as Record<string, unknown>).missingProperty)
    return errors.some(
      (e) =>
        e.keyword === 'additionalProperties' &&
        e.instancePath === error.instancePath &&
        closest(String((e.params as Record<string, unknown>).additionalProperty), [missing]) === missing,
    )
  }
  for (const error of errors) {
    if (dropped.has(error) || misspelt(error)) continue
    issues.push({ path: pathOf(error), message: messageOf(error) })
  }
  const seen = new Set<string>()
  return issues.filter((i) => {
    const key = `${i.path}\0${i.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function pathOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'required') return `${error.instancePath}/${String(params.missingProperty)}`
  if (error.keyword === 'additionalProperties')
    return `${error.instancePath}/${String(params.additionalProperty)}`
  return error.instancePath
}

function messageOf(error: ErrorObject): string {
  if (error.instancePath === '/apiVersion' && error.keyword === 'const') {
    return `must be a version this area reads (${supportedApiVersions.join(', ')})${got(error.data)}`
  }
  return plainMessage(error)
}

/** `{ polling: { interval: <duration> } }`: the form of a schema branch, for people. */
function shapeOf(node: Record<string, unknown>): string {
  if (node.const !== undefined) return String(node.const)
  if (node.type === 'object' && node.properties && typeof node.properties === 'object') {
    const fields = Object.entries(node.properties as Record<string, Record<string, unknown>>)
    return `{ ${fields.map(([key, sub]) => `${key}: ${shapeOf(sub)}`).join(', ')} }`
  }
  const example = Array.isArray(node.examples) ? node.examples[0] : undefined
  return example === undefined ? '…' : String(example)
}
