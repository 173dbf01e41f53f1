/**
 * Secret params (docs/architecture.md, "Secret params"). A service marks a param, or a part of
 * one, secret with JSON Schema's `writeOnly: true` in its schema (a Discord webhook URL, the
 * values of an HTTP request's headers). Such a value is stored sealed and shown everywhere else
 * as `<secret:FINGERPRINT>`, a short keyed hash: equal values show equal fingerprints, so a diff
 * tells a changed secret from an unchanged one without revealing either. Applying a document that
 * holds a fingerprint (an exported file) keeps the secret the AREA already holds under it.
 *
 * This module only walks schemas and values; the keyed hash and the sealing are the SecretBox's.
 */
import type { TSchema } from '@sinclair/typebox'
import { canonicalJson } from './canonical-json.js'
import type { Issue } from './errors.js'
import { isSecretReference } from './secret-names.js'
import type { JsonObject, JsonValue } from './types.js'

const PLACEHOLDER = /^<secret:([0-9a-f]{12})>$/

/** The JSON Schema of a fingerprint placeholder: what a secret may be written as at apply time. */
export const secretPlaceholderSchema = { type: 'string', pattern: PLACEHOLDER.source }

/** What a secret is shown as. */
export function secretPlaceholder(fingerprint: string): string {
  return `<secret:${fingerprint}>`
}

/** The fingerprint a placeholder names, or undefined when `value` is not one. */
export function placeholderFingerprint(value: unknown): string | undefined {
  return typeof value === 'string' ? PLACEHOLDER.exec(value)?.[1] : undefined
}

/** The text a secret's fingerprint is taken of: a string as is, anything else as canonical JSON. */
export function secretText(value: JsonValue): string {
  return typeof value === 'string' ? value : canonicalJson(value)
}

type SchemaNode = Record<string, unknown>

/** Whether `schema` marks anything secret. */
export function hasSecrets(schema: TSchema | undefined): boolean {
  const visit = (node: unknown): boolean => {
    if (node === null || typeof node !== 'object') return false
    const s = node as SchemaNode
    if (s.writeOnly === true) return true
    const children = [
      ...Object.values((s.properties as SchemaNode | undefined) ?? {}),
      ...Object.values((s.patternProperties as SchemaNode | undefined) ?? {}),
      s.additionalProperties,
      s.items,
      ...((s.anyOf as unknown[] | undefined) ?? []),
      ...((s.oneOf as unknown[] | undefined) ?? []),
    ]
    return children.some(visit)
  }
  return visit(schema)
}

/** The schema that describes `key` of an object described by `schema`. */
function propertySchema(schema: SchemaNode, key: string): unknown {
  const properties = schema.properties as SchemaNode | undefined
  if (properties && Object.hasOwn(properties, key)) return properties[key]
  const patterns = schema.patternProperties as SchemaNode | undefined
  for (const [pattern, sub] of Object.entries(patterns ?? {})) {
    if (new RegExp(pattern, 'u').test(key)) return sub
  }
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined
}

/** Whether a union marks its values secret (every branch that marks anything marks the value). */
function isSecretNode(schema: SchemaNode): boolean {
  if (schema.writeOnly === true) return true
  const branches = (schema.anyOf ?? schema.oneOf) as SchemaNode[] | undefined
  return Array.isArray(branches) && branches.some((b) => b?.writeOnly === true)
}

/**
 * `value` with each value at a secret position of `schema` replaced by `replace(value, path)`;
 * the rest is shared, not copied. Paths are JSON pointers under `path`.
 */
export function mapSecrets(
  schema: unknown,
  value: JsonValue,
  replace: (secret: JsonValue, path: string) => JsonValue,
  path = '',
): JsonValue {
  if (schema === null || typeof schema !== 'object') return value
  const s = schema as SchemaNode
  if (isSecretNode(s)) return replace(value, path)
  if (Array.isArray(value)) {
    if (s.items === undefined) return value
    return value.map((item, i) => mapSecrets(s.items, item, replace, `${path}/${i}`))
  }
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {}
    for (const [key, item] of Object.entries(value)) {
      out[key] = mapSecrets(propertySchema(s, key), item, replace, `${path}/${escapePointer(key)}`)
    }
    return out
  }
  return value
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1')
}

/**
 * Params as shown: every secret a placeholder of its fingerprint (placeholders stay as they are,
 * and so does a bare `{{ secrets.NAME }}`, which holds no secret but names one of the user's).
 */
export function redactParams(
  schema: TSchema,
  params: JsonObject,
  fingerprint: (text: string) => string,
): JsonObject {
  return mapSecrets(schema, params, (secret) =>
    placeholderFingerprint(secret) !== undefined || isSecretReference(secret)
      ? secret
      : secretPlaceholder(fingerprint(secretText(secret))),
  ) as JsonObject
}

/** Params as recorded in execution logs: the rendered secrets, which vary by event, as `<secret>`. */
export function hideSecrets(schema: TSchema, params: JsonValue): JsonValue {
  return mapSecrets(schema, params, () => '<secret>')
}

/**
 * Params with each placeholder replaced by the secret the AREA holds under that fingerprint;
 * a placeholder the AREA does not hold is an issue (at `basePath` + the param's path).
 */
export function restoreSecrets(
  schema: TSchema,
  params: JsonObject,
  known: ReadonlyMap<string, JsonValue>,
  basePath: string,
  issues: Issue[],
): JsonObject {
  return mapSecrets(schema, params, (secret, path) => {
    const fingerprint = placeholderFingerprint(secret)
    if (fingerprint === undefined) return secret
    const held = known.get(fingerprint)
    if (held === undefined) {
      issues.push({
        path: `${basePath}${path}`,
        message: `${secretPlaceholder(fingerprint)} stands for a secret this AREA does not hold (it was redacted elsewhere, or has changed since): give the value itself, e.g. from an environment variable`,
      })
      return secret
    }
    return held
  }) as JsonObject
}

/**
 * Adds to `into` the secrets of a stored param: where its shown form (`redacted`) holds a
 * placeholder, the plain value (`plain`, opened) holds the secret at the same place.
 */
export function collectSecrets(
  redacted: JsonValue | undefined,
  plain: JsonValue | undefined,
  into: Map<string, JsonValue>,
): void {
  if (redacted === undefined || plain === undefined) return
  const fingerprint = placeholderFingerprint(redacted)
  if (fingerprint !== undefined) {
    if (plain !== redacted) into.set(fingerprint, plain)
    return
  }
  if (Array.isArray(redacted) && Array.isArray(plain)) {
    for (const [i, item] of redacted.entries()) collectSecrets(item, plain[i], into)
  } else if (isObject(redacted) && isObject(plain)) {
    for (const [key, item] of Object.entries(redacted)) collectSecrets(item, plain[key], into)
  }
}

function isObject(value: JsonValue): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
