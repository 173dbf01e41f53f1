/**
 * What `area diff` and `area apply` compare: the stored document against the file's, both put
 * in one canonical key order first (the order of the AREA schema, src/spec/document.ts; keys the
 * schema does not name, such as params, sorted), so that a store that gives its keys back in
 * another order (Postgres jsonb does) shows no change. Only the paths that differ are listed,
 * Terraform plan style; plan-output.ts prints them.
 */
import { isDeepStrictEqual } from 'node:util'
import { AreaDocumentSchema } from '../spec/document.js'
import type { ApplyBatchResult } from './api-types.js'

/** A JSON Schema node, as far as ordering keys needs it. */
interface SchemaNode {
  properties?: Record<string, SchemaNode>
  patternProperties?: Record<string, SchemaNode>
  items?: SchemaNode
  anyOf?: SchemaNode[]
  type?: unknown
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `value` with every object's keys in schema order, then the unnamed keys sorted. */
export function inSchemaOrder(
  value: unknown,
  schema: SchemaNode | undefined = AreaDocumentSchema as SchemaNode,
): unknown {
  if (Array.isArray(value)) return value.map((item) => inSchemaOrder(item, schema?.items))
  if (!isObject(value)) return value
  const node = schema?.anyOf?.find((s) => s.type === 'object') ?? schema
  const named = node?.properties ?? {}
  const other = Object.values(node?.patternProperties ?? {})[0]
  const keys = [
    ...Object.keys(named).filter((k) => Object.hasOwn(value, k)),
    ...Object.keys(value)
      .filter((k) => !Object.hasOwn(named, k))
      .sort(),
  ]
  return Object.fromEntries(keys.map((k) => [k, inSchemaOrder(value[k], named[k] ?? other)]))
}

/** One changed path; `before` or `after` is absent when the path is added or removed. */
export interface PathChange {
  path: string
  before?: unknown
  after?: unknown
}

const plainKey = /^[A-Za-z_][A-Za-z0-9_]*$/
const child = (path: string, key: string) =>
  plainKey.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`

/** The leaf paths where two documents differ, in document order. */
export function documentChanges(before: unknown, after: unknown, path = ''): PathChange[] {
  if (isDeepStrictEqual(before, after)) return []
  if (isObject(before) && isObject(after)) {
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !Object.hasOwn(after, k))]
    return keys.flatMap((k) => documentChanges(before[k], after[k], child(path, k)))
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length)
    return Array.from({ length }, (_, i) => documentChanges(before[i], after[i], `${path}[${i}]`)).flat()
  }
  return [
    {
      path,
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
    },
  ]
}

export type PlanAction = 'create' | 'update' | 'delete'

export interface AreaPlanEntry {
  name: string
  action: PlanAction
  /** For an update: each changed path (empty when the server did not send both documents). */
  paths: PathChange[]
}

export interface Plan {
  areas: AreaPlanEntry[]
  create: number
  update: number
  delete: number
}

const actions = { created: 'create', updated: 'update', deleted: 'delete' } as const

/** The plan of an apply answer: its changed AREAs, with the paths of each update. */
export function planOf(results: readonly ApplyBatchResult[]): Plan {
  const areas: AreaPlanEntry[] = []
  for (const result of results) {
    if (result.outcome === 'unchanged') continue
    const action = actions[result.outcome]
    const paths =
      action === 'update' && result.before !== undefined && result.after !== undefined
        ? documentChanges(inSchemaOrder(result.before), inSchemaOrder(result.after))
        : []
    // Who owns it is the server's record, not part of the document: shown as its own path.
    if (result.owner) paths.push({ path: 'owner', before: result.owner.before, after: result.owner.after })
    areas.push({ name: result.name, action, paths })
  }
  const count = (action: PlanAction) => areas.filter((a) => a.action === action).length
  return { areas, create: count('create'), update: count('update'), delete: count('delete') }
}
