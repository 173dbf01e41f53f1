/**
 * What a plugin's service must be for the engine to run it, checked when it loads: the shape the
 * built-ins are held to by their tests (ids, names, params documented for the JSON Schema and
 * `services describe`, handlers present), so a broken declaration stops the start naming the
 * field instead of failing later in a worker. Paths read like the code that declares them
 * (`actions[0].polling.poll`).
 */
import type { TSchema } from '@sinclair/typebox'
import { credentialKindPattern } from '../engine/credentials.js'
import { shapeIssues } from '../engine/params.js'

export interface DeclarationIssue {
  path: string
  message: string
}

export const serviceIdPattern = /^[a-z][a-z0-9_]{0,62}$/

type Rec = Record<string, unknown>
const isRecord = (value: unknown): value is Rec =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export function checkServiceDeclaration(value: unknown): DeclarationIssue[] {
  const issues: DeclarationIssue[] = []
  const add = (path: string, message: string): void => {
    issues.push({ path, message })
  }
  if (!isRecord(value)) {
    add('', 'must be a service object (the value defineService returns)')
    return issues
  }
  checkId(value, '', add)
  checkText(value, 'name', '', add)
  checkText(value, 'description', '', add)
  checkAuth(value.auth, add)
  if (value.settings !== undefined) checkSettings(value.settings, add)
  const actions = listOf(value, 'actions', add)
  const reactions = listOf(value, 'reactions', add)
  for (const [i, action] of actions) checkAction(action, `actions[${i}]`, add)
  for (const [i, reaction] of reactions) checkReaction(reaction, `reactions[${i}]`, add)
  if (actions.length === 0 && reactions.length === 0 && issues.length === 0)
    add('actions', 'the service declares no action and no reaction')
  duplicates(actions, 'actions', add)
  duplicates(reactions, 'reactions', add)
  return issues
}

type Add = (path: string, message: string) => void
const at = (base: string, key: string) => (base ? `${base}.${key}` : key)

function checkId(value: Rec, base: string, add: Add) {
  if (typeof value.id !== 'string' || !serviceIdPattern.test(value.id))
    add(at(base, 'id'), `must match ${serviceIdPattern.source} (lowercase letters, digits, _)`)
}

function checkText(value: Rec, key: string, base: string, add: Add) {
  if (typeof value[key] !== 'string' || (value[key] as string).trim() === '')
    add(at(base, key), 'must be a non-empty string')
}

function checkAuth(auth: unknown, add: Add) {
  if (!isRecord(auth)) return add('auth', "must be { kind: 'none' } or a credentials declaration")
  if (auth.kind === 'none') return
  if (typeof auth.kind !== 'string' || !new RegExp(credentialKindPattern).test(auth.kind))
    add('auth.kind', `must be 'none' or a kind matching ${credentialKindPattern} (use defineCredentials)`)
  if (!isObjectSchema(auth.fields)) add('auth.fields', 'must be a TypeBox object (Type.Object)')
  if (auth.validate !== undefined && typeof auth.validate !== 'function')
    add('auth.validate', 'must be a function')
}

function checkSettings(settings: unknown, add: Add) {
  if (!isRecord(settings)) return add('settings', 'must be an object of settings')
  for (const [key, setting] of Object.entries(settings)) {
    const ok =
      isRecord(setting) &&
      typeof setting.env === 'string' &&
      /^[A-Z][A-Z0-9_]*$/.test(setting.env) &&
      typeof setting.default === 'string' &&
      typeof setting.description === 'string'
    if (!ok)
      add(
        `settings.${key}`,
        'must be { env: an UPPER_CASE variable name, default: a string, description: a string }',
      )
  }
}

/** The list's objects with their indexes as declared (a non-object is an issue of its own). */
function listOf(value: Rec, key: string, add: Add): [number, Rec][] {
  const list = value[key]
  if (!Array.isArray(list)) {
    add(key, 'must be an array (empty when there is none)')
    return []
  }
  const kind = key === 'actions' ? 'Action' : 'Reaction'
  return list.flatMap((item, i): [number, Rec][] => {
    if (isRecord(item)) return [[i, item]]
    add(`${key}[${i}]`, `must be an object (the value define${kind} returns)`)
    return []
  })
}

function checkCommon(def: Rec, base: string, add: Add) {
  checkId(def, base, add)
  checkText(def, 'name', base, add)
  checkText(def, 'description', base, add)
  if (!isObjectSchema(def.params)) return add(at(base, 'params'), 'must be a TypeBox object (Type.Object)')
  if (def.params.additionalProperties !== false)
    add(at(base, 'params'), 'must refuse unknown params: Type.Object({…}, { additionalProperties: false })')
  for (const [name, schema] of Object.entries(def.params.properties as Rec)) {
    const param = isRecord(schema) ? schema : {}
    if (typeof param.description !== 'string' || !Array.isArray(param.examples))
      add(
        at(base, `params.${name}`),
        'needs a description and examples (the JSON Schema and `area services describe` show them)',
      )
  }
  if (def.requiresConnection !== undefined && typeof def.requiresConnection !== 'boolean')
    add(at(base, 'requiresConnection'), 'must be a boolean')
}

function checkAction(action: Rec, base: string, add: Add) {
  checkCommon(action, base, add)
  const { polling, webhook } = action
  if (polling === undefined && webhook === undefined)
    add(base, 'declares neither polling nor webhook: an action needs one to fire')
  if (polling !== undefined) {
    if (!isRecord(polling))
      add(at(base, 'polling'), 'must be an object with poll() and defaultIntervalSeconds')
    else {
      if (typeof polling.poll !== 'function') add(at(base, 'polling.poll'), 'must be a function')
      if (typeof polling.defaultIntervalSeconds !== 'number' || !(polling.defaultIntervalSeconds > 0))
        add(at(base, 'polling.defaultIntervalSeconds'), 'must be a number of seconds above 0')
    }
  }
  if (webhook !== undefined) {
    if (!isRecord(webhook)) add(at(base, 'webhook'), 'must be an object with verify() and receive()')
    else
      for (const fn of ['verify', 'receive'])
        if (typeof webhook[fn] !== 'function') add(at(base, `webhook.${fn}`), 'must be a function')
  }
  if (action.trigger !== undefined && typeof action.trigger !== 'function')
    add(at(base, 'trigger'), 'must be a function')
  checkExample(action, 'event', 'exampleEvent', base, add)
}

function checkReaction(reaction: Rec, base: string, add: Add) {
  checkCommon(reaction, base, add)
  if (typeof reaction.run !== 'function') add(at(base, 'run'), 'must be a function')
  checkExample(reaction, 'output', 'exampleOutput', base, add)
}

/** An example shown by `services describe` must match the schema templates are typed from. */
function checkExample(def: Rec, schemaKey: string, exampleKey: string, base: string, add: Add) {
  const schema = def[schemaKey]
  if (schema === undefined) return
  if (!isRecord(schema)) return add(at(base, schemaKey), 'must be a JSON Schema (a TypeBox type)')
  if (def[exampleKey] === undefined) return
  for (const issue of shapeIssues(schema as TSchema, def[exampleKey], ''))
    add(
      at(base, `${exampleKey}${issue.path.replaceAll('/', '.')}`),
      `${issue.message} (against ${schemaKey})`,
    )
}

function duplicates(list: [number, Rec][], key: string, add: Add) {
  const seen = new Set<unknown>()
  for (const [i, item] of list) {
    if (seen.has(item.id)) add(`${key}[${i}].id`, `"${String(item.id)}" is declared twice`)
    seen.add(item.id)
  }
}

function isObjectSchema(value: unknown): value is Rec & { properties: Rec } {
  return isRecord(value) && value.type === 'object' && isRecord(value.properties)
}
