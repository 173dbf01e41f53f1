/**
 * Sets the audit origin (src/store/audit.ts) for the rest of each request: its address, its
 * User-Agent and, once authenticated, its token. A preHandler hook, run once the body is parsed:
 * reading a body resumes on stream events, which would lose a context set earlier (onRequest).
 */
import type { FastifyInstance } from 'fastify'
import { auditOrigin } from '../../../store/audit.js'

export function registerAuditOrigin(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const agent = request.headers['user-agent']
    auditOrigin.run(
      {
        address: request.ip || null,
        userAgent: typeof agent === 'string' && agent !== '' ? agent : null,
        tokenName: () => request.auth?.tokenName ?? null,
      },
      done,
    )
  })
}
