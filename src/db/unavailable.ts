/**
 * Whether an error means "the database cannot be reached right now" (a restart, a failover, a
 * full server), as opposed to a bug or bad input. Such a failure is retried by loops and answered
 * 503 + Retry-After by the API (docs/architecture.md, "Riding out faults").
 */

/** Socket errors of a server that went away or never answered. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * SQLSTATEs of a server that is shutting down or starting (57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now) or full (53300 too_many_connections); class 08 is
 * every connection exception.
 */
const serverCodes = new Set(['57P01', '57P02', '57P03', '53300'])

/** node-postgres and pg-pool say these in words, with no code. */
const messages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection ended unexpectedly',
  'Cannot use a pool after calling end',
  // The embedded database, closed while the process stops.
  'PGlite is closed',
  'database is closed',
]

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false
  const { code, message, cause, errors } = error as {
    code?: unknown
    message?: unknown
    cause?: unknown
    errors?: unknown
  }
  if (typeof code === 'string') {
    if (networkCodes.has(code) || serverCodes.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true
  }
  if (typeof message === 'string' && messages.some((m) => message.includes(m))) return true
  // Node wraps the attempts of a dual-stack connect in an AggregateError.
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true
  return cause !== undefined && isDatabaseUnavailable(cause, depth + 1)
}
