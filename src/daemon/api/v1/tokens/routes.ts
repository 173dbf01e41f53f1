/** API tokens for the CLI and CI: create (shown once), list (never the token), revoke by name. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  CreatedTokenAnswer,
  CreateTokenBody,
  TokenInfoSchema,
  TokenNameParams,
} from '../../../contract/auth.js'
import { iso, isoOrNull, page, problemResponses } from '../../../contract/common.js'
import { recordAudit } from '../../../store/audit.js'
import { createApiToken, listApiTokens, revokeApiTokenByName } from '../../../store/tokens.js'
import { tokenExists } from '../accounts.js'
import { authOf } from '../plugins/auth.js'
import { ProblemError } from '../problems.js'
import { tokenView } from '../views.js'
import type { RouteOptions } from './auth.js'

const dayMs = 86_400_000

export const tokenRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  const db = ctx.store.db

  app.post(
    '/tokens',
    {
      schema: {
        summary: 'Create an API token; the answer is the only time it is shown',
        tags: ['tokens'],
        body: CreateTokenBody,
        response: { 201: CreatedTokenAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request)
      const { name, expiresInDays } = request.body
      const expiresAt = expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * dayMs)
      const created = await db.transaction().execute(async (trx) => {
        const made = await createApiToken(trx, { userId: auth.userId, name, expiresAt })
        if (!made) throw tokenExists(name)
        await recordAudit(trx, { userId: auth.userId, action: 'token.created', target: `token/${name}` })
        return made
      })
      return reply.code(201).send({
        name: created.info.name,
        token: created.token,
        createdAt: iso(created.info.createdAt),
        expiresAt: isoOrNull(created.info.expiresAt),
      })
    },
  )

  app.get(
    '/tokens',
    {
      schema: {
        summary: 'Your live tokens (never the tokens themselves)',
        tags: ['tokens'],
        response: { 200: page(TokenInfoSchema), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request)
      const tokens = await listApiTokens(db, auth.userId)
      // A handful per user: one page.
      return { items: tokens.map((t) => tokenView(t, auth.tokenId)), nextCursor: null }
    },
  )

  app.delete(
    '/tokens/:name',
    {
      schema: {
        summary: 'Revoke a token by name',
        tags: ['tokens'],
        params: TokenNameParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request)
      const { name } = request.params
      await db.transaction().execute(async (trx) => {
        if (!(await revokeApiTokenByName(trx, auth.userId, name))) {
          throw new ProblemError(
            'token_not_found',
            `you have no live token named "${name}" (see \`area tokens list\`)`,
          )
        }
        await recordAudit(trx, { userId: auth.userId, action: 'token.revoked', target: `token/${name}` })
      })
      return reply.code(204).send(null)
    },
  )
}
