/**
 * What the roots of templates and expressions hold at one place of an AREA file, as JSON Schemas:
 * `trigger` the action's event, `reactions.<id>` the outputs of the reactions it may read, `item`
 * the element of its for_each list, `error` the failure in on_failure, `area` its name
 * (docs/architecture.md, "Typed events"). A root that is absent is free-form (`secrets`, say).
 */
import { type Dialect, type JsonSchema, type StepProblem, showStep, step } from './schema-paths.js'

/** A schema, and the document its local `$ref`s resolve in. */
export interface Typed {
  schema: JsonSchema
  root: JsonSchema
}

export interface TypeScope {
  roots: Readonly<Record<string, Typed | undefined>>
  /** The reactions it may read: any other `reactions.<id>` is reported by the reference checks. */
  readable: readonly string[]
}

export const typed = (schema: JsonSchema | undefined): Typed | undefined =>
  schema ? { schema, root: schema } : undefined

/** `{ reaction, message, attempt, class }` of an on_failure reaction (src/engine/run.ts builds it). */
export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reaction: { type: 'string' },
    message: { type: 'string' },
    attempt: { type: 'integer' },
    class: { type: 'string' },
  },
}

export const AREA_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { name: { type: 'string' } },
}

/** `reactions` as a closed object of the readable reactions' outputs (free-form when undeclared). */
export function reactionsSchema(
  outputs: ReadonlyMap<string, JsonSchema | undefined>,
  readable: readonly string[],
) {
  const properties: Record<string, JsonSchema> = {}
  for (const id of readable) properties[id] = outputs.get(id) ?? {}
  return { type: 'object', additionalProperties: false, properties }
}

/** Whether a path is the type checks' to judge (a reaction it cannot read is reported elsewhere). */
export function judged(scope: TypeScope, segments: readonly unknown[]): boolean {
  const [root, id] = segments
  if (typeof root !== 'string' || !Object.hasOwn(scope.roots, root)) return false
  return root !== 'reactions' || id === undefined || (typeof id === 'string' && scope.readable.includes(id))
}

/**
 * Follows a path from its root. A segment that is not a plain key or index (a computed one) makes
 * the rest free-form. Stops at the first problem: what follows it reads nothing anyway.
 */
export function followPath(
  scope: TypeScope,
  segments: readonly unknown[],
  dialect: Dialect,
): { typed: Typed | undefined; problem?: StepProblem } {
  const [root, ...rest] = segments
  let current = scope.roots[String(root)]
  let shown = String(root)
  for (const segment of rest) {
    if (!current) return { typed: undefined }
    if (typeof segment !== 'string' && typeof segment !== 'number') return { typed: undefined }
    const next = step(current.schema, segment, shown, dialect, current.root)
    if (next.problem) return { typed: undefined, problem: next.problem }
    current = next.schema ? { schema: next.schema, root: current.root } : undefined
    shown = showStep(shown, segment)
  }
  return { typed: current }
}
