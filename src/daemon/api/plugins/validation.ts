/**
 * Request validation from the route schemas, with two Ajv instances. Bodies are checked as
 * sent: no type coercion, no defaults written in, no unknown fields silently removed (Fastify's
 * defaults), because an AREA document with a typo must be refused, not "fixed". Query strings
 * and path params arrive as text, so there numbers and arrays are coerced.
 */
import { Ajv } from 'ajv'
import type { FastifyInstance } from 'fastify'
import { addFormatsTo } from '../../../engine/formats.js'

function createAjv(kind: 'body' | 'text'): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    coerceTypes: kind === 'text' ? 'array' : false,
    useDefaults: kind === 'text',
    removeAdditional: false,
  })
  addFormatsTo(ajv)
  return ajv
}

export function registerValidation(app: FastifyInstance): void {
  const body = createAjv('body')
  const text = createAjv('text')
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema))
}
