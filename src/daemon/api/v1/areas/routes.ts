/**
 * AREAs by name, always the caller's own: another user's AREA answers exactly what a missing
 * one does (404 area_not_found), on every route. `POST /areas/apply` applies a set of documents
 * as one change (`area apply -f <files>`, `create`, `diff`, `--dry-run`, `--prune`). The use
 * cases are in src/features/areas/.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  ApplyAnswer,
  AreaDetailsSchema,
  AreaDocumentBody,
  AreaList,
  AreaNameParams,
  BatchAnswer,
  BatchBody,
  ListAreasQuery,
} from '../../../../contract/areas.js'
import { defaultPageSize, problemResponses } from '../../../../contract/common.js'
import { applyDocument, applyDocuments } from '../../../../features/areas/apply.js'
import { areaDetails, listAreaPage } from '../../../../features/areas/read.js'
import { removeArea } from '../../../../features/areas/state.js'
import { authOf } from '../../plugins/auth.js'
import type { RouteOptions } from '../../route-types.js'
import { areaDetailsView, areaPageView, withAreaView } from '../../views/areas.js'

export const areaRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/areas',
    {
      schema: {
        summary: 'Your AREAs in name order, with their applied documents',
        tags: ['areas'],
        querystring: ListAreasQuery,
        response: { 200: AreaList, ...problemResponses },
      },
    },
    async (request) => {
      const { cursor, limit = defaultPageSize, label = [], labelSelector } = request.query
      const query = { cursor, limit, labels: label, labelSelector }
      return areaPageView(await listAreaPage(ctx, authOf(request).userId, query))
    },
  )

  app.get(
    '/areas/:name',
    {
      schema: {
        summary: 'One AREA: document, trigger state (webhook URL and secret), latest events',
        tags: ['areas'],
        params: AreaNameParams,
        response: { 200: AreaDetailsSchema, ...problemResponses },
      },
    },
    async (request) =>
      areaDetailsView(await areaDetails(ctx, authOf(request).userId, request.params.name), ctx),
  )

  app.put(
    '/areas/:name',
    {
      schema: {
        summary: 'Apply one AREA document: create it, update it, or leave it unchanged',
        tags: ['areas'],
        params: AreaNameParams,
        body: AreaDocumentBody,
        response: { 200: ApplyAnswer, 201: ApplyAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const options = { mode: 'apply', name: request.params.name } as const
      const answer = await applyDocument(ctx, authOf(request).userId, request.body, options)
      return reply.code(answer.outcome === 'created' ? 201 : 200).send(withAreaView(answer, ctx))
    },
  )

  app.post(
    '/areas',
    {
      schema: {
        summary: 'Create one AREA; 409 when the name exists',
        tags: ['areas'],
        body: AreaDocumentBody,
        response: { 201: ApplyAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const answer = await applyDocument(ctx, authOf(request).userId, request.body, { mode: 'create' })
      return reply.code(201).send(withAreaView(answer, ctx))
    },
  )

  app.delete(
    '/areas/:name',
    {
      schema: {
        summary: 'Delete an AREA, its trigger and its history',
        tags: ['areas'],
        params: AreaNameParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await removeArea(ctx, authOf(request).userId, request.params.name)
      return reply.code(204).send(null)
    },
  )

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
      const { documents, prune = false, dryRun = false, mode = 'apply', labelSelector, owner } = request.body
      const answer = await applyDocuments(ctx, {
        userId: authOf(request).userId,
        documents,
        prune,
        dryRun,
        mode,
        labelSelector,
        owner,
        takeOwnership: request.body.takeOwnership,
      })
      return { dryRun, ...answer }
    },
  )
}
