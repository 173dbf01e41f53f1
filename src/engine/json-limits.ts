/**
 * Checks on JSON that arrives from outside, before anything recursive touches it
 * (docs/architecture.md, "Bad input and quotas"). Every check here iterates: a hostile value
 * must not be able to exhaust the stack of the code that is meant to refuse it.
 */

/** Nesting of webhook bodies: far beyond any real sender, far below what overflows a serialiser. */
export const MAX_WEBHOOK_JSON_DEPTH = 400

/** Nesting of `/v1` request bodies: an AREA document with its params needs a handful of levels. */
export const MAX_API_JSON_DEPTH = 64

/**
 * True when the JSON text nests arrays and objects deeper than `limit`. A scan of the text, not of
 * the parsed value, so it runs before parsing and costs one pass whatever the shape. Brackets
 * inside strings do not count; the text need not be valid JSON (the parser judges that after).
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i += 1 // a backslash escapes the next character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1
      if (depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1
    }
  }
  return false
}

// U+0000, or a surrogate without its pair: text Postgres refuses in jsonb and text columns.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding U+0000 is the point
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** True when `text` holds U+0000 or a lone surrogate, which Postgres cannot store. */
export function isUnstorableText(text: string): boolean {
  return unstorable.test(text)
}

/**
 * The JSON pointer of the first string (object key or value) in `value` that Postgres cannot
 * store, or undefined when there is none. Walks with an explicit stack.
 */
export function findUnstorableString(value: unknown, base = ''): string | undefined {
  const stack: [unknown, string][] = [[value, base]]
  while (stack.length > 0) {
    const [item, path] = stack.pop()!
    if (typeof item === 'string') {
      if (isUnstorableText(item)) return path
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}/${i}`])
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!
        const childPath = `${path}/${escapePointer(key)}`
        if (isUnstorableText(key)) return childPath
        stack.push([child, childPath])
      }
    }
  }
  return undefined
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

/**
 * True when JSON text written by JSON.stringify holds a `\u0000` or a lone surrogate escape: the
 * serialiser escapes exactly those (and control characters), paired surrogates it writes as they
 * are. An escape counts only after an even run of backslashes (`\\u0000` is text, not a NUL).
 */
export function hasUnstorableEscape(json: string): boolean {
  return unstorableEscape.test(json)
}

const unstorableEscape = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i

/** Why an event's payload cannot be stored as it is; undefined when it can. */
export type SerializedJson = { ok: true; json: string } | { ok: false; reason: string }

/**
 * Serialises one value on its own, so a value that cannot be serialised or stored fails alone
 * rather than the statement it would have shared with others.
 */
export function serializeForStorage(value: unknown): SerializedJson {
  let json: string
  try {
    json = JSON.stringify(value)
  } catch (error) {
    return { ok: false, reason: `it cannot be serialised as JSON (${(error as Error).message})` }
  }
  if (json === undefined) return { ok: false, reason: 'it is not a JSON value' }
  if (hasUnstorableEscape(json)) {
    return {
      ok: false,
      reason: 'it holds U+0000 or an unpaired surrogate (\\ud800–\\udfff), which cannot be stored',
    }
  }
  return { ok: true, json }
}
