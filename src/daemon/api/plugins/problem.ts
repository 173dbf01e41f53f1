/**
 * The one error handler: whatever a route, a hook or Fastify itself throws becomes an
 * `application/problem+json` answer (RFC 9457) with a stable `code` (problems.ts). Internal
 * errors are logged with the request id and answered without their message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable } from '../../../db/unavailable.js'
import { AreaError, formatIssues, type Issue, ValidationError } from '../../../engine/errors.js'
import type { OutageLog } from '../../outage-log.js'
import {
  DATABASE_RETRY_AFTER_SECONDS,
  databaseUnavailableDetail,
  isProblemCode,
  type Problem,
  problem,
} from '../problems.js'

export const problemContentType = 'application/problem+json'

/**
 * `databaseOutage`: a lost database connection is a 503 with Retry-After, logged once per outage
 * there rather than once per request (docs/architecture.md, "Riding out faults").
 */
export function registerProblemHandling(app: FastifyInstance, databaseOutage?: OutageLog): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    // An AreaError already says what failed (Supabase unreachable is not the database).
    if (!(error instanceof AreaError) && isDatabaseUnavailable(error)) {
      databaseOutage?.failed(error)
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
      return sendProblem(reply, problem('database_unavailable', databaseUnavailableDetail))
    }
    const answer = toProblem(error, request)
    if (answer.status >= 500) request.log.error({ err: error }, 'request failed')
    return sendProblem(reply, answer)
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    return sendProblem(reply, problem('not_found', `there is no route ${request.method} ${path}`))
  })
}

export function sendProblem(reply: FastifyReply, answer: Problem): FastifyReply {
  return reply.code(answer.status).type(problemContentType).send(answer)
}

export function toProblem(error: unknown, request: FastifyRequest): Problem {
  if (error instanceof ValidationError) return problem('validation_failed', error.message, error.issues)
  if (error instanceof AreaError && isProblemCode(error.code)) return problem(error.code, error.message)
  const fastifyError = error as Partial<FastifyError> & { code?: string }
  if (fastifyError.validation) {
    const issues = validationIssues(fastifyError.validation, fastifyError.validationContext)
    return problem('validation_failed', formatIssues(issues), issues)
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem('malformed_json', 'the body is not valid JSON (Content-Type says application/json)')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('malformed_json', 'the body is empty but Content-Type says application/json')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(
        'payload_too_large',
        `the body is larger than this route accepts (${request.routeOptions.bodyLimit ?? 'the limit'} bytes)`,
      )
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(
        'unsupported_media_type',
        `Content-Type ${String(request.headers['content-type'] ?? '(none)')} is not accepted here; send application/json`,
      )
    // Postgres unique_violation: two requests raced to create the same thing.
    case '23505':
      return problem('conflict', 'another request changed the same resource at the same time; try again')
  }
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    return problem('bad_request', fastifyError.message ?? 'the request cannot be handled')
  }
  return problem(
    'internal',
    `an unexpected error occurred; the server log has the details (request id ${request.id})`,
  )
}

type ValidationEntry = NonNullable<FastifyError['validation']>[number]

/** Ajv's errors as one issue per field, with paths under `/query`, `/params`… outside the body. */
export function validationIssues(entries: ValidationEntry[], context: string | undefined): Issue[] {
  const prefix =
    context === undefined || context === 'body' ? '' : `/${context === 'querystring' ? 'query' : context}`
  const byPath = new Map<string, { messages: string[]; constants: unknown[] }>()
  for (const entry of entries) {
    const params = entry.params as Record<string, unknown>
    let path = `${prefix}${entry.instancePath}`
    let message = entry.message ?? 'is invalid'
    if (entry.keyword === 'required') {
      path = `${path}/${String(params.missingProperty)}`
      message = 'is required'
    } else if (entry.keyword === 'additionalProperties') {
      path = `${path}/${String(params.additionalProperty)}`
      message = 'is not a known field'
    }
    const slot = byPath.get(path) ?? { messages: [], constants: [] }
    byPath.set(path, slot)
    // A union of constants (TypeBox literals) fails once per branch: report them together.
    if (entry.keyword === 'const') slot.constants.push(params.allowedValue)
    else if (entry.keyword === 'enum') slot.constants.push(...(params.allowedValues as unknown[]))
    else if (entry.keyword !== 'anyOf' || slot.messages.length === 0) slot.messages.push(message)
  }
  return [...byPath.entries()].map(([path, slot]) => ({
    path,
    message: slot.constants.length
      ? `must be one of: ${slot.constants.map(String).join(', ')}`
      : (slot.messages.find((m) => !m.includes('anyOf')) ?? slot.messages[0] ?? 'is invalid'),
  }))
}
