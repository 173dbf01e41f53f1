/**
 * Errors with stable codes, in one place. The API maps `code` to problem+json, the CLI to exit
 * codes, and the worker uses `retryable` to decide between a retry and an immediate failure.
 */

export interface Issue {
  /** JSON-pointer-like path to the field, e.g. `/spec/reactions/0/params/url`. */
  path: string
  message: string
  /** Where inside the string value at `path` the problem is (an expression's parse error). */
  offset?: number
}

export class AreaError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** Input that cannot be accepted; `issues` names every field at fault. */
export class ValidationError extends AreaError {
  readonly issues: Issue[]
  constructor(issues: Issue[], message?: string) {
    super('validation_failed', message ?? formatIssues(issues))
    this.issues = issues
  }
}

/** A reaction or poll failure that will fail again the same way: do not retry. */
export class PermanentError extends AreaError {
  readonly retryable = false
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(options?.code ?? 'permanent_failure', message, options)
  }
}

/** A failure worth retrying (network, 5xx, 429); `retryAfterMs` carries the server's hint. */
export class RetryableError extends AreaError {
  readonly retryable = true
  readonly retryAfterMs: number | undefined
  constructor(message: string, options?: ErrorOptions & { code?: string; retryAfterMs?: number }) {
    super(options?.code ?? 'transient_failure', message, options)
    this.retryAfterMs = options?.retryAfterMs
  }
}

export type ErrorClass = 'retryable' | 'permanent'

/** Unknown errors (a bug, a dropped socket) are retried: bounded attempts make that safe. */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof PermanentError || error instanceof ValidationError) return 'permanent'
  return 'retryable'
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

export function formatIssues(issues: Issue[]): string {
  if (issues.length === 0) return 'invalid input'
  return issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')
}
