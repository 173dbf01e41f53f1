/**
 * `GET /v1/areas/:name/revisions` (`area history`) and `POST /v1/areas/:name/rollback`
 * (`area rollback`): another user's AREA is a 404 like a missing one.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AreaNameParams } from '../../../../contract/areas.js'
import { iso, problemResponses } from '../../../../contract/common.js'
import { RevisionsAnswer, RollbackAnswer, RollbackBody } from '../../../../contract/revisions.js'
import { areaHistory, rollbackArea } from '../../../../features/areas/revisions.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'

export const revisionRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/areas/:name/revisions',
    {
      schema: {
        summary: "The AREA's kept revisions, newest first (the last AREA_MAX_REVISIONS_PER_AREA)",
        tags: ['areas'],
        params: AreaNameParams,
        response: { 200: RevisionsAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const revisions = await areaHistory(ctx, authOf(request).userId, request.params.name)
      return {
        items: revisions.map((r, i) => ({
          revision: r.revision,
          appliedAt: iso(r.appliedAt),
          appliedBy: r.appliedBy,
          changes: r.changes,
          current: i === 0,
          spec: r.spec,
        })),
      }
    },
  )

  app.post(
    '/areas/:name/rollback',
    {
      schema: {
        summary: 'Re-apply a kept revision (default: the previous one) as a new revision',
        tags: ['areas'],
        params: AreaNameParams,
        body: RollbackBody,
        response: { 200: RollbackAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const dryRun = request.body?.dryRun ?? false
      const answer = await rollbackArea(ctx, authOf(request).userId, {
        name: request.params.name,
        to: request.body?.to,
        dryRun,
      })
      return { dryRun, ...answer }
    },
  )
}
