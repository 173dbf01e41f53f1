/** `GET /v1/audit`: the caller's audit log, newest first. Nobody reads another user's rows. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuditAnswer, AuditQuery } from '../../../../contract/audit.js'
import { defaultPageSize, problemResponses } from '../../../../contract/common.js'
import { listAuditPage } from '../../../../features/audit/list.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'

export const auditRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/audit',
    {
      schema: {
        summary: 'Your audit log newest first: who changed what, when, from where',
        tags: ['audit'],
        querystring: AuditQuery,
        response: { 200: AuditAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const { limit = defaultPageSize, ...query } = request.query
      const page = await listAuditPage(ctx, authOf(request).userId, { ...query, limit })
      return {
        items: page.items.map((row) => ({
          id: row.id,
          action: row.action,
          target: row.target,
          metadata: row.metadata,
          token: row.tokenName,
          address: row.address,
          userAgent: row.userAgent,
          at: row.createdAt,
        })),
        nextCursor: page.nextCursor,
      }
    },
  )
}
