/**
 * Input every `/v1` route refuses before its own schema sees it (docs/architecture.md, "Bad input
 * and quotas"), so a bad value is a clear 400 that changes nothing rather than a 500 from deep
 * inside: JSON bodies nested deeper than MAX_API_JSON_DEPTH (refused before parsing, by an
 * iterative scan: recursive code downstream, Ajv and the canonical hash, would overflow), and any
 * string in the body, query or path holding U+0000 or an unpaired surrogate, which Postgres
 * refuses in text and jsonb alike.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AreaError, ValidationError } from '../../../engine/errors.js'
import { findUnstorableString, jsonDepthExceeds, MAX_API_JSON_DEPTH } from '../../../engine/json-limits.js'

export class JsonTooDeepError extends AreaError {
  constructor(limit: number) {
    super(
      'json_too_deep',
      `the body nests arrays and objects more than ${limit} levels deep; no request of this API needs that many`,
    )
  }
}

export function registerInputGuard(scope: FastifyInstance, maxDepth = MAX_API_JSON_DEPTH): void {
  // Fastify's own parser (with its __proto__ and constructor checks), behind the depth check.
  const parseJson = scope.getDefaultJsonParser('error', 'error')
  scope.removeContentTypeParser('application/json')
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, maxDepth)) {
      done(new JsonTooDeepError(maxDepth), undefined)
      return
    }
    parseJson(request, body as string, done)
  })
  scope.addHook('preValidation', async (request) => {
    const path = unstorableInput(request)
    if (path !== undefined) {
      throw new ValidationError([
        {
          path,
          message:
            'holds U+0000 or an unpaired surrogate (\\ud800–\\udfff), which cannot be stored: remove it or send valid UTF-8 text',
        },
      ])
    }
  })
}

function unstorableInput(request: FastifyRequest): string | undefined {
  return (
    findUnstorableString(request.params, '/params') ??
    findUnstorableString(request.query, '/query') ??
    findUnstorableString(request.body)
  )
}
