/**
 * The shape of the event an AREA's action emits (docs/architecture.md, "Typed events"): the
 * action's declared `event` schema and `exampleEvent`, or, for an action whose event is the
 * sender's own body (webhook.received), the one the AREA file declares under `action.event`:
 *
 *   event:
 *     schema: { type: object, properties: { order: { type: integer } } }   # or ./order.schema.json
 *     example: { order: 42 }                                                 # or ./order.json
 *
 * The file forms are read by the CLI when it loads the file (load.ts), so the server and the
 * stored document only ever hold the schema and example themselves. Either may be left out: an
 * example alone stands for a schema that has exactly its fields (example-schema.ts).
 */
import { Ajv, type ErrorObject } from 'ajv'
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' }
import type { Issue } from '../engine/errors.js'
import type { Registry } from '../engine/registry.js'
import { plainMessage } from '../engine/schema-messages.js'
import type { JsonObject } from '../engine/types.js'
import type { ActionSpec } from './document.js'
import { schemaFromExample } from './example-schema.js'
import type { JsonSchema } from './schema-paths.js'

/** The actions whose event the AREA file may declare: their own is free-form. */
export const USER_DECLARED_EVENT_ACTIONS: readonly string[] = ['webhook.received']

export interface EventShape {
  /** JSON Schema of the event; undefined when nothing is declared (free-form). */
  schema: JsonSchema | undefined
  example: JsonObject | undefined
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * The event shape `area test` and the type checks use: the one the file declares for
 * webhook.received, else the action's declared one. Not a validation: an unknown action, or a
 * declaration not yet read from its file, gives what is known.
 */
export function declaredEventShape(registry: Registry, action: ActionSpec): EventShape {
  const definition = registry.service(action.service)?.actions.find((a) => a.id === action.action)
  const declared = action.event
  if (declared && USER_DECLARED_EVENT_ACTIONS.includes(`${action.service}.${action.action}`)) {
    const example = isObject(declared.example) ? (declared.example as JsonObject) : undefined
    const schema = isObject(declared.schema)
      ? (declared.schema as JsonSchema)
      : example
        ? schemaFromExample(example)
        : undefined
    if (schema || example) return { schema, example }
  }
  return {
    schema: definition?.event as JsonSchema | undefined,
    example: definition?.exampleEvent,
  }
}

const BASE = '/spec/action/event'

/** Whether the `event:` of the action is one this action takes, and is sound. */
export function eventDeclarationIssues(action: ActionSpec): Issue[] {
  const declared = action.event
  if (declared === undefined) return []
  const name = `${action.service}.${action.action}`
  if (!USER_DECLARED_EVENT_ACTIONS.includes(name)) {
    return [
      {
        path: BASE,
        message: `${name} declares its own event (\`area services describe ${action.service}\` shows it): event: is only for ${USER_DECLARED_EVENT_ACTIONS.join(', ')}, whose event is free-form`,
      },
    ]
  }
  const issues: Issue[] = []
  const fileForm = (key: 'schema' | 'example') => ({
    path: `${BASE}/${key}`,
    message: `is a file name: the area CLI reads it when it loads the AREA file; send the ${key} itself`,
  })
  if (typeof declared.schema === 'string') issues.push(fileForm('schema'))
  if (typeof declared.example === 'string') issues.push(fileForm('example'))
  if (issues.length > 0) return issues
  if (declared.schema === undefined && declared.example === undefined) {
    return [{ path: BASE, message: 'declares neither a schema nor an example: give one or both' }]
  }
  if (!isObject(declared.schema)) return []
  const schemaIssues = metaSchemaIssues(declared.schema)
  if (schemaIssues.length > 0) return schemaIssues
  let validate: ReturnType<Ajv['compile']>
  try {
    validate = exampleAjv().compile(withoutPatterns(declared.schema) as JsonSchema)
  } catch (error) {
    return [{ path: `${BASE}/schema`, message: `is not a usable JSON Schema: ${unusable(error)}` }]
  }
  if (!isObject(declared.example)) return issues
  let matches: boolean
  try {
    matches = validate(structuredClone(declared.example)) as boolean
  } catch (error) {
    return [{ path: `${BASE}/schema`, message: `is not a usable JSON Schema: ${unusable(error)}` }]
  }
  if (!matches) {
    for (const error of firstPerPath(validate.errors ?? []))
      issues.push({
        path: `${BASE}/example${pathOf(error)}`,
        message: `the example does not match the schema: ${plainMessage(error)}`,
      })
  }
  return issues
}

/** Why Ajv could not use a schema, in words (a `$ref` loop overflows its stack). */
function unusable(error: unknown): string {
  if (error instanceof RangeError) return 'its $refs refer to each other without end'
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''
}

// Compiled on first use: most files declare no event, and validate then compiles nothing.
let metaValidator: ReturnType<Ajv['compile']> | undefined
function metaSchemaIssues(schema: JsonSchema): Issue[] {
  if (!metaValidator) {
    const { $id: _id, $schema: _schema, ...meta } = draft07 as Record<string, unknown>
    metaValidator = new Ajv({
      allErrors: true,
      strict: false,
      verbose: true,
      validateFormats: false,
    }).compile(meta)
  }
  if (metaValidator(schema)) return []
  return firstPerPath(metaValidator.errors ?? []).map((error) => ({
    path: `${BASE}/schema${pathOf(error)}`,
    message: `is not valid JSON Schema (draft-07): ${plainMessage(error)}`,
  }))
}

// One instance per check: a user's `$id` must not meet another file's.
const exampleAjv = () =>
  new Ajv({ allErrors: true, strict: false, verbose: true, validateFormats: false, validateSchema: false })

/** The deepest error of each field, unions' summaries left out (their branches say more). */
function firstPerPath(errors: readonly ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject>()
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue
    const path = pathOf(error)
    if (!byPath.has(path)) byPath.set(path, error)
  }
  return [...byPath.values()]
}

function pathOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'required') return `${error.instancePath}/${String(params.missingProperty)}`
  if (error.keyword === 'additionalProperties')
    return `${error.instancePath}/${String(params.additionalProperty)}`
  return error.instancePath
}

/**
 * The schema without `pattern`, `patternProperties` and `format`: the example is checked on the
 * server too, and a user's regular expression run on a user's string can take the process for
 * minutes (ReDoS). An object with patternProperties becomes open instead. The shape, which is what
 * the type checks read, is unchanged.
 */
export function withoutPatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutPatterns)
  if (!isObject(node)) return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' || key === 'format') continue
    if (key === 'patternProperties') {
      if (node.additionalProperties === false) out.additionalProperties = true
      continue
    }
    if (key === 'additionalProperties' && out.additionalProperties === true) continue
    if (key === 'properties' || key === 'definitions' || key === '$defs' || key === 'dependencies') {
      out[key] = isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutPatterns(v)]))
        : value
      continue
    }
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') {
      out[key] = value
      continue
    }
    out[key] = withoutPatterns(value)
  }
  if (isObject(node.patternProperties) && node.additionalProperties === false) out.additionalProperties = true
  return out
}
