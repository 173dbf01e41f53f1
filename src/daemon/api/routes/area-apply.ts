/**
 * `area apply -f <files>` (and `create`, `diff`, `apply --dry-run`, `--prune`): a set of
 * documents applied as one change. Invalid documents (any of them) answer 400 with paths under
 * `/documents/<i>` and nothing is written.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BatchAnswer, BatchBody } from '../../../contract/areas.js'
import { problemResponses } from '../../../contract/common.js'
import { applyAreaDocuments } from '../../../store/area-batch.js'
import { authOf } from '../plugins/auth.js'
import type { RouteOptions } from './auth.js'

export const areaApplyRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/areas/apply',
    {
      schema: {
        summary: 'Apply several AREA documents at once, atomically; optionally prune, or only plan (dry run)',
        tags: ['areas'],
        body: BatchBody,
        response: { 200: BatchAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const { documents, prune = false, dryRun = false, mode = 'apply' } = request.body
      const answer = await applyAreaDocuments(ctx.store.db, {
        userId: authOf(request).userId,
        documents,
        prune,
        dryRun,
        mode,
        registry: ctx.registry,
        secrets: ctx.secrets,
      })
      return { dryRun, ...answer }
    },
  )
}
