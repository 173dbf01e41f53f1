import { Type } from '@sinclair/typebox'
import { PermanentError } from '../engine/errors.js'
import type { Target } from './target.js'

// RFC 9110 token characters; values may not span lines (header injection).
const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
const HEADER_VALUE = '^[^\\r\\n]*$'

export function urlParam(description: string, examples: string[]) {
  return Type.String({ description, format: 'uri', pattern: '^[hH][tT][tT][pP][sS]?://', examples })
}

/**
 * Header values are secret (writeOnly): Authorization, API keys and cookies travel there, and a
 * header's name does not say whether its value is one. Names stay visible.
 */
export const headersParam = Type.Optional(
  Type.Record(
    Type.String({ pattern: HEADER_NAME }),
    Type.String({ pattern: HEADER_VALUE, writeOnly: true }),
    {
      description:
        'Extra request headers; names are case-insensitive; values are secret (stored sealed, shown as <secret:…>)',
      additionalProperties: false,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${ENV_VAR} substitution
      examples: [{ Authorization: 'Bearer ${API_TOKEN}', 'X-Request-Source': 'area' }],
    },
  ),
)

export const DEFAULT_USER_AGENT = 'area'

/** Request headers from the user's, plus defaults the user did not set (names compare case-insensitively). */
export function buildHeaders(
  userHeaders: Readonly<Record<string, string>> | undefined,
  target: Target,
  defaults: Readonly<Record<string, string | undefined>>,
): Headers {
  let headers: Headers
  try {
    headers = new Headers(userHeaders ?? {})
  } catch (error) {
    throw new PermanentError(
      `invalid request header: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  if (target.authorization && !headers.has('authorization'))
    headers.set('authorization', target.authorization)
  for (const [name, value] of Object.entries(defaults)) {
    if (value !== undefined && !headers.has(name)) headers.set(name, value)
  }
  return headers
}
