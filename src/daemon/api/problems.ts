/**
 * Every error the API answers, by stable `code`, in one table: its HTTP status and title. Use
 * cases throw an AreaError with one of these codes; the error handler (plugins/problem.ts) turns
 * any thrown error into an RFC 9457 problem from here, and the CLI shows `detail` as it is and
 * keys its exit codes on `code`.
 */
import type { Issue } from '../../engine/errors.js'

export const problemTypes = {
  validation_failed: { status: 400, title: 'The request is invalid' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  json_too_deep: { status: 400, title: 'The JSON is nested too deeply' },
  quota_exceeded: { status: 403, title: 'A quota of your account is reached' },
  bad_request: { status: 400, title: 'Bad request' },
  oauth_not_configured: { status: 400, title: 'OAuth is not configured for this service' },
  unauthenticated: { status: 401, title: 'Not authenticated' },
  invalid_credentials: { status: 401, title: 'Wrong e-mail or password' },
  invalid_signature: { status: 401, title: 'The webhook signature does not verify' },
  signup_closed: { status: 403, title: 'Signup is closed' },
  account_not_linkable: { status: 403, title: 'This Supabase user cannot be linked to an area account' },
  not_found: { status: 404, title: 'Not found' },
  area_not_found: { status: 404, title: 'AREA not found' },
  service_not_found: { status: 404, title: 'Service not found' },
  token_not_found: { status: 404, title: 'Token not found' },
  hook_not_found: { status: 404, title: 'Webhook not found' },
  connection_not_found: { status: 404, title: 'Connection not found' },
  secret_not_found: { status: 404, title: 'Secret not found' },
  area_exists: { status: 409, title: 'An AREA with this name exists' },
  email_taken: { status: 409, title: 'This e-mail address has an account' },
  token_exists: { status: 409, title: 'A token with this name exists' },
  connection_exists: { status: 409, title: 'A connection with this name exists' },
  connection_in_use: { status: 409, title: 'The connection is used by AREAs' },
  conflict: { status: 409, title: 'Conflicting change' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  // The server's AREA_ENCRYPTION_KEY is not the one the secret was sealed with: the detail says so.
  secret_unreadable: { status: 500, title: 'A stored secret cannot be decrypted' },
  not_ready: { status: 503, title: 'Not ready' },
  // Postgres restarting, failing over or full: answered with Retry-After, never a 500.
  database_unavailable: { status: 503, title: 'The database is unavailable' },
  supabase_unavailable: { status: 503, title: 'Supabase Auth cannot be reached' },
  busy: { status: 503, title: 'The server is busy' },
} as const satisfies Record<string, { status: number; title: string }>

export type ProblemCode = keyof typeof problemTypes

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: ProblemCode
  errors?: Issue[]
}

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(problemTypes, code)
}

/** A URN, not a URL: stable and unique, and it promises no documentation page. */
export function problemType(code: ProblemCode): string {
  return `urn:area:problem:${code}`
}

/** Seconds a client should wait (Retry-After) when the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2

export const databaseUnavailableDetail = `the database cannot be reached right now (restarting or overloaded); nothing was changed, retry in ${DATABASE_RETRY_AFTER_SECONDS} s`

export function problem(code: ProblemCode, detail: string, errors?: Issue[]): Problem {
  const { status, title } = problemTypes[code]
  return { type: problemType(code), title, status, detail, code, ...(errors ? { errors } : {}) }
}
