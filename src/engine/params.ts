/**
 * Params validation against the action's or reaction's schema, with errors that name the field.
 * At apply time a reaction's param may hold a template (`{{ trigger.n }}` where a number is
 * expected): the value is only known at run time, where the rendered params are checked again,
 * strictly. At apply time a secret param (`writeOnly`) may also hold the placeholder of a secret
 * the AREA already holds (`<secret:…>`, from an exported file; secret-params.ts).
 */
import type { TSchema } from '@sinclair/typebox'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { Issue } from './errors.js'
import { addFormatsTo } from './formats.js'
import { oneOf, plainMessage, unknownField } from './schema-messages.js'
import { secretPlaceholderSchema } from './secret-params.js'
import type { JsonObject, JsonValue } from './types.js'

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false, verbose: true })
addFormatsTo(ajv)

/**
 * `apply`: a reaction's params in an AREA file (templates and secret placeholders allowed);
 * `trigger`: an action's params in an AREA file (secret placeholders allowed, no templates);
 * `run`: the params a handler receives, strictly.
 */
export type ParamsMode = 'apply' | 'trigger' | 'run'

const compiled = new WeakMap<object, Partial<Record<ParamsMode, ValidateFunction>>>()

function validatorFor(schema: TSchema, mode: ParamsMode): ValidateFunction {
  let entry = compiled.get(schema)
  if (!entry) {
    entry = {}
    compiled.set(schema, entry)
  }
  let validate = entry[mode]
  if (!validate) {
    validate = ajv.compile(
      mode === 'run' ? schema : (transform(schema, { templates: mode === 'apply' }) as TSchema),
    )
    entry[mode] = validate
  }
  return validate
}

export type ParamsResult = { ok: true; value: JsonObject } | { ok: false; issues: Issue[] }

/**
 * Validates `params` (not modified) and returns them with schema defaults filled in, or the
 * issues with paths under `basePath` (e.g. `/spec/action/params`).
 */
export function validateParams(
  schema: TSchema,
  params: JsonValue | undefined,
  basePath: string,
  mode: ParamsMode,
): ParamsResult {
  const value = structuredClone(params ?? {})
  const validate = validatorFor(schema, mode)
  if (validate(value)) return { ok: true, value: value as JsonObject }
  // Rendered params (`run`) may hold event data: their values stay out of the message.
  const showValue = mode !== 'run'
  return {
    ok: false,
    issues: toIssues(validate.errors ?? [], basePath, validate.schema as TSchema, showValue),
  }
}

/**
 * Checks a value against a declared shape (an action's `event`, a reaction's `output`) with the
 * same Ajv as params, strictly; the issues' paths are under `basePath`. The value is not modified.
 */
export function shapeIssues(schema: TSchema, value: unknown, basePath: string): Issue[] {
  const validate = validatorFor(schema, 'run')
  if (validate(structuredClone(value))) return []
  return toIssues(validate.errors ?? [], basePath, validate.schema as TSchema, false)
}

const templateString = { type: 'string', pattern: '\\{\\{|\\{%' }

/**
 * A copy of `schema` where any constrained value may also be a template string, and any secret
 * value (`writeOnly`) a secret placeholder.
 */
export function allowTemplates(schema: TSchema): TSchema {
  return transform(schema, { templates: true }) as TSchema
}

function transform(node: unknown, options: { templates: boolean }): unknown {
  if (node === null || typeof node !== 'object') return node
  const schema = { ...(node as Record<string, unknown>) }
  const each = (nodes: unknown) =>
    Object.fromEntries(
      Object.entries(nodes as Record<string, unknown>).map(([k, v]) => [k, transform(v, options)]),
    )
  if (schema.properties && typeof schema.properties === 'object') schema.properties = each(schema.properties)
  if (schema.patternProperties && typeof schema.patternProperties === 'object')
    schema.patternProperties = each(schema.patternProperties)
  if (schema.items) schema.items = transform(schema.items, options)
  if (typeof schema.additionalProperties === 'object') {
    schema.additionalProperties = transform(schema.additionalProperties, options)
  }
  // Unions are wrapped whole, not branch by branch, so a union of literals stays readable.
  const open = schema.type === undefined && !schema.anyOf && !schema.oneOf
  // Objects stay objects (their fields may be templates); untyped values and plain strings
  // already accept a template, and a placeholder.
  if (open || schema.type === 'object' || isUnconstrainedString(schema)) return schema
  const alternatives = [
    ...(options.templates ? [templateString] : []),
    ...(schema.writeOnly === true ? [secretPlaceholderSchema] : []),
  ]
  if (alternatives.length === 0) return schema
  return {
    anyOf: [schema, ...alternatives],
    ...pick(schema, ['description', 'default', 'examples', 'title', 'writeOnly']),
  }
}

function isUnconstrainedString(schema: Record<string, unknown>): boolean {
  return (
    schema.type === 'string' &&
    schema.pattern === undefined &&
    schema.format === undefined &&
    schema.enum === undefined &&
    schema.const === undefined &&
    schema.minLength === undefined &&
    schema.maxLength === undefined
  )
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]))
}

/** Turns Ajv's errors into one readable issue per field. */
function toIssues(errors: ErrorObject[], basePath: string, schema: TSchema, showValue: boolean): Issue[] {
  // A union of constants (an enum written as literals) reads best as one "must be one of".
  const enumUnions = errors.filter((e) => e.keyword === 'anyOf' && constantsAt(schema, e.schemaPath))
  const insideEnumUnion = (e: ErrorObject) =>
    enumUnions.some(
      (u) => u !== e && e.instancePath === u.instancePath && e.schemaPath.startsWith(`${u.schemaPath}/`),
    )
  // Errors raised inside the template or placeholder alternatives only add noise.
  const insideTemplateBranch = (e: ErrorObject) =>
    e.keyword !== 'anyOf' && /\/anyOf\/[12](\/|$)/.test(e.schemaPath)
  const byPath = new Map<string, Issue>()
  for (const error of errors) {
    // Ajv adds `must match "then" schema` beside the error the `then` branch found: noise.
    if (error.keyword === 'if') continue
    if (insideEnumUnion(error) || insideTemplateBranch(error)) continue
    const issue = toIssue(error, basePath, schema, showValue)
    const existing = byPath.get(issue.path)
    // Keep the most specific message per path: the generic anyOf summary loses to any other.
    if (!existing || existing.message === genericAnyOf) byPath.set(issue.path, issue)
  }
  return [...byPath.values()]
}

const genericAnyOf = 'must match the expected type or be a template'

function constantsAt(schema: TSchema, schemaPath: string): unknown[] | undefined {
  // An anyOf error's schemaPath ends at the keyword, so this is the list of branches.
  const branches = nodeAt(schema, schemaPath) as { const?: unknown }[] | undefined
  if (!Array.isArray(branches) || !branches.length || !branches.every((b) => b.const !== undefined))
    return undefined
  return branches.map((b) => b.const)
}

function nodeAt(schema: TSchema, schemaPath: string): unknown {
  let node: unknown = schema
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[decodeURIComponent(part)]
  }
  return node
}

function toIssue(error: ErrorObject, basePath: string, schema: TSchema, showValue: boolean): Issue {
  const path = `${basePath}${error.instancePath}`
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { path: `${path}/${String(params.missingProperty)}`, message: 'is required' }
    case 'additionalProperties': {
      const known = Object.keys(propertiesAt(schema, error.schemaPath))
      return {
        path: `${path}/${String(params.additionalProperty)}`,
        message: unknownField(String(params.additionalProperty), known),
      }
    }
    case 'anyOf': {
      const constants = constantsAt(schema, error.schemaPath)
      const secret = (error.parentSchema as { writeOnly?: unknown } | undefined)?.writeOnly === true
      const value = showValue && !secret ? error.data : undefined
      return { path, message: constants ? oneOf(constants, value) : genericAnyOf }
    }
    default:
      return { path, message: plainMessage(error, { showValue }) }
  }
}

function propertiesAt(schema: TSchema, schemaPath: string): Record<string, unknown> {
  // schemaPath is like "#/properties/headers/additionalProperties": the owner is one step up.
  const owner = nodeAt(schema, schemaPath.split('/').slice(0, -1).join('/')) as
    | { properties?: Record<string, unknown> }
    | undefined
  return owner?.properties ?? {}
}
