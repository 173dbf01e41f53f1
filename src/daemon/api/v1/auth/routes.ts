/**
 * Accounts: signup and login are the only `/v1` routes without a token (publicAuthRoutes);
 * logout and `me` act on the calling token (sessionRoutes, in the authenticated scope), an API
 * token or a Supabase access token.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { LoginBody, MeAnswer, SessionAnswer, SignupBody } from '../../../contract/auth.js'
import { iso, isoOrNull, problemResponses } from '../../../contract/common.js'
import { recordAudit } from '../../../store/audit.js'
import { findApiTokenInfo, revokeApiTokenById } from '../../../store/tokens.js'
import { findUserById } from '../../../store/users.js'
import type { DaemonContext } from '../../context.js'
import { login, type Session, signup } from '../accounts.js'
import { authOf, bearerToken, type RequestAuth } from '../plugins/auth.js'
import { supabaseAuthenticatorFor } from '../supabase-auth.js'
import { tokenView, userView } from '../views.js'

export interface RouteOptions {
  ctx: DaemonContext
}

const sessionView = (session: Session) => ({
  user: userView(session.user),
  token: session.token,
  tokenName: session.tokenInfo.name,
  expiresAt: isoOrNull(session.tokenInfo.expiresAt),
})

export const publicAuthRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/auth/signup',
    {
      schema: {
        summary: 'Create an account and its first API token',
        tags: ['accounts'],
        security: [],
        body: SignupBody,
        response: { 201: SessionAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const session = await signup(ctx, request.body)
      request.log.info({ userId: session.user.id }, 'user signed up')
      return reply.code(201).send(sessionView(session))
    },
  )

  app.post(
    '/auth/login',
    {
      schema: {
        summary: 'Exchange an e-mail and password for a new API token',
        tags: ['accounts'],
        security: [],
        body: LoginBody,
        response: { 200: SessionAnswer, ...problemResponses },
      },
    },
    async (request) => sessionView(await login(ctx, request.body)),
  )
}

export const sessionRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/auth/logout',
    {
      schema: {
        summary: 'Revoke the token this request is made with (a Supabase access token: sign its session out)',
        tags: ['accounts'],
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request)
      if (auth.supabase) {
        const token = bearerToken(request)
        if (token) await supabaseAuthenticatorFor(ctx)?.signOut(token)
        await recordAudit(ctx.store.db, {
          userId: auth.userId,
          action: 'session.signed_out',
          target: `supabase/${auth.supabase.userId}`,
          metadata: { via: 'logout' },
        })
        return reply.code(204).send(null)
      }
      const tokenId = auth.tokenId
      if (!tokenId) throw new Error('an API token request without a token id')
      await ctx.store.db.transaction().execute(async (trx) => {
        await revokeApiTokenById(trx, tokenId)
        await recordAudit(trx, {
          userId: auth.userId,
          action: 'token.revoked',
          target: `token/${auth.tokenName}`,
          metadata: { via: 'logout' },
        })
      })
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/me',
    {
      schema: {
        summary: 'The calling user and token (a Supabase access token shows as `supabase-session`)',
        tags: ['accounts'],
        response: { 200: MeAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request)
      if (auth.supabase) {
        const user = await findUserById(ctx.store.db, auth.userId)
        if (!user) throw new Error('the calling user vanished during the request')
        return { user: userView(user), currentToken: supabaseSessionView(auth, auth.supabase) }
      }
      const [user, token] = await Promise.all([
        findUserById(ctx.store.db, auth.userId),
        auth.tokenId ? findApiTokenInfo(ctx.store.db, auth.tokenId) : undefined,
      ])
      // Both were just read by the authentication hook; only a concurrent deletion gets here.
      if (!user || !token) throw new Error('the calling user or token vanished during the request')
      return { user: userView(user), currentToken: tokenView(token, auth.tokenId) }
    },
  )
}

/** A Supabase session in the place of an API token: its validity from the token's claims. */
function supabaseSessionView(auth: RequestAuth, session: NonNullable<RequestAuth['supabase']>) {
  const now = new Date()
  return {
    name: auth.tokenName,
    createdAt: iso(session.issuedAt ?? now),
    expiresAt: isoOrNull(session.expiresAt),
    lastUsedAt: null,
    expired: session.expiresAt !== null && session.expiresAt <= now,
    current: true,
  }
}
