/**
 * AREAs by name, always the caller's own: another user's AREA answers exactly what a missing
 * one does (404 area_not_found), on every route.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  ApplyAnswer,
  AreaDetailsSchema,
  AreaDocumentBody,
  AreaList,
  AreaNameParams,
  ListAreasQuery,
} from '../../../contract/areas.js'
import { defaultPageSize, problemResponses } from '../../../contract/common.js'
import { ValidationError } from '../../../engine/errors.js'
import { normalizeArea } from '../../../spec/normalize.js'
import { getAreaDetails, type LabelSelector, listAreas } from '../../../store/area-queries.js'
import { applyArea, deleteArea } from '../../../store/areas.js'
import { AreaNotFoundError } from '../../../store/errors.js'
import type { DaemonContext } from '../../context.js'
import { decodeNameCursor, encodeCursor } from '../cursor.js'
import { authOf } from '../plugins/auth.js'
import { areaDetailsView, areaSummaryView } from '../views.js'
import type { RouteOptions } from './auth.js'

/** The caller's AREA as the API shows it, or a 404. */
export async function areaDetailsOrThrow(ctx: DaemonContext, userId: string, name: string) {
  const details = await getAreaDetails(ctx.store.db, userId, name)
  if (!details) throw new AreaNotFoundError(name)
  return areaDetailsView(details, { publicUrl: ctx.config.publicUrl, secrets: ctx.secrets })
}

export const areaRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  const db = ctx.store.db

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
      const auth = authOf(request)
      const { cursor, limit = defaultPageSize, label = [] } = request.query
      const page = await listAreas(db, auth.userId, {
        after: cursor === undefined ? undefined : decodeNameCursor(cursor),
        limit,
        labels: label.map(parseLabel),
      })
      return {
        items: page.items.map(areaSummaryView),
        nextCursor: page.next === undefined ? null : encodeCursor(page.next),
      }
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
    async (request) => areaDetailsOrThrow(ctx, authOf(request).userId, request.params.name),
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
      const { name } = request.params
      if (request.body.metadata.name !== name) {
        throw new ValidationError([
          {
            path: '/metadata/name',
            message: `must be "${name}", the name in the URL (got "${request.body.metadata.name}")`,
          },
        ])
      }
      const answer = await apply(ctx, authOf(request).userId, request.body, 'apply')
      return reply.code(answer.outcome === 'created' ? 201 : 200).send(answer)
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
    async (request, reply) =>
      reply.code(201).send(await apply(ctx, authOf(request).userId, request.body, 'create')),
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
      await deleteArea(db, authOf(request).userId, request.params.name)
      return reply.code(204).send(null)
    },
  )
}

async function apply(ctx: DaemonContext, userId: string, document: unknown, mode: 'apply' | 'create') {
  const area = normalizeArea(document, ctx.registry)
  const result = await applyArea(ctx.store.db, {
    userId,
    area,
    mode,
    registry: ctx.registry,
    secrets: ctx.secrets,
  })
  return {
    outcome: result.outcome,
    changes: result.changes,
    area: await areaDetailsOrThrow(ctx, userId, area.name),
  }
}

/** `key=value`, or a bare `key`. */
function parseLabel(text: string, index: number): LabelSelector {
  const at = text.indexOf('=')
  const key = at < 0 ? text : text.slice(0, at)
  if (!key)
    throw new ValidationError([{ path: `/query/label/${index}`, message: 'must be key=value or key' }])
  return at < 0 ? { key } : { key, value: text.slice(at + 1) }
}
