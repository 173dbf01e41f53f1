/**
 * The identity header (src/contract/identity.ts) on every answer of the API. Set when the request
 * arrives, so routes that write the raw response (the log stream) find it in reply.getHeaders(),
 * and again before sending, for answers a hook or an error handler built from scratch.
 */
import type { FastifyInstance } from 'fastify'
import { AREA_VERSION_HEADER } from '../../../contract/identity.js'
import { areaVersion } from '../../version.js'

export function registerIdentity(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header(AREA_VERSION_HEADER, areaVersion)
  })
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader(AREA_VERSION_HEADER)) reply.header(AREA_VERSION_HEADER, areaVersion)
  })
}
