/**
 * Parses a webhook's raw body by its content type: JSON (also `*+json`, and a body sent without
 * a content type), or an HTML form, whose fields become an object (a repeated field, an array).
 * The raw bytes stay untouched for the signature check.
 */
import { jsonDepthExceeds, MAX_WEBHOOK_JSON_DEPTH } from '../../engine/json-limits.js'
import type { JsonObject, JsonValue } from '../../engine/types.js'

export type ParsedBody =
  | { ok: true; value: JsonValue }
  | { ok: false; code: 'malformed_json' | 'json_too_deep' | 'unsupported_media_type'; detail: string }

export function parseWebhookBody(contentType: string | undefined, raw: Buffer): ParsedBody {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase()
  if (mediaType === 'application/x-www-form-urlencoded') return { ok: true, value: parseForm(raw) }
  if (mediaType !== '' && mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    return {
      ok: false,
      code: 'unsupported_media_type',
      detail: `content type ${mediaType} is not accepted: send application/json or application/x-www-form-urlencoded`,
    }
  }
  // An empty body (a bare ping) is an empty event rather than an error.
  if (raw.length === 0) return { ok: true, value: {} }
  const text = raw.toString('utf8')
  // Before parsing: a value nested this deep would overflow the stack of whatever walks it next
  // (serialising it for the database did, failing the other events of its batch).
  if (jsonDepthExceeds(text, MAX_WEBHOOK_JSON_DEPTH)) {
    return {
      ok: false,
      code: 'json_too_deep',
      detail: `the body nests arrays and objects more than ${MAX_WEBHOOK_JSON_DEPTH} levels deep`,
    }
  }
  try {
    // A "__proto__" key would become the prototype of an object the event is assigned into.
    const value = suspectProto.test(text) ? JSON.parse(text, dropProto) : JSON.parse(text)
    return { ok: true, value: value as JsonValue }
  } catch (error) {
    return {
      ok: false,
      code: 'malformed_json',
      detail: `the body is not valid JSON: ${(error as Error).message}`,
    }
  }
}

// "__proto__" with any of its letters possibly \u-escaped (as secure-json-parse checks it).
const suspectProto =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"/

function dropProto(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value
}

function parseForm(raw: Buffer): JsonObject {
  const fields: JsonObject = {}
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) {
    if (name === '__proto__') continue
    const previous = Object.hasOwn(fields, name) ? fields[name] : undefined
    if (previous === undefined) fields[name] = value
    else if (Array.isArray(previous)) previous.push(value)
    else fields[name] = [previous, value]
  }
  return fields
}
