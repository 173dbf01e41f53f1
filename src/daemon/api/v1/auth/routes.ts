/**
 * Accounts: signup and login are the only `/v1` routes without a token (publicAuthRoutes);
 * logout and `me` act on the calling token (sessionRoutes, in the authenticated scope), an API
 * token or a Supabase access token. The use cases are in src/features/accounts/.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Redis } from 'ioredis'
import { LoginBody, MeAnswer, SessionAnswer, SignupBody } from '../../../../contract/auth.js'
import { problemResponses } from '../../../../contract/common.js'
import {
  currentAccount,
  login,
  logout,
  type SigninOrigin,
  signup,
} from '../../../../features/accounts/sessions.js'
import { createSigninGuard, SigninThrottledError } from '../../../../features/accounts/signin-guard.js'
import { authOf, bearerToken } from '../../plugins/auth.js'
import { sendProblem } from '../../plugins/problem.js'
import { problem } from '../../problems.js'
import type { RouteOptions } from '../../route-types.js'
import { meView, sessionView } from '../../views/accounts.js'

export const publicAuthRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  // Counters in Redis when there is one, so every API replica shares them (signin-guard.ts).
  const redis = ctx.config.redisUrl
    ? new Redis(ctx.config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      })
    : undefined
  redis?.on('error', () => {}) // the guard falls back to in-process counters meanwhile
  app.addHook('onClose', async () => {
    redis?.disconnect()
  })
  const guard = createSigninGuard(
    ctx.config.signin,
    redis ? { client: redis, prefix: ctx.config.redisPrefix } : undefined,
  )
  // request.ip is the peer, or X-Forwarded-For's client when AREA_TRUST_PROXY trusts the proxy.
  const origin = (request: FastifyRequest): SigninOrigin => ({ guard, address: request.ip })
  const throttled = (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof SigninThrottledError)) throw error
    reply.header('retry-after', String(error.retryAfterSeconds))
    return sendProblem(reply, problem(error.code as 'too_many_requests' | 'busy', error.message))
  }

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
      try {
        const session = await signup(ctx, request.body, origin(request))
        request.log.info({ userId: session.user.id }, 'user signed up')
        return reply.code(201).send(sessionView(session))
      } catch (error) {
        return throttled(reply, error)
      }
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
    async (request, reply) => {
      try {
        return sessionView(await login(ctx, request.body, origin(request)))
      } catch (error) {
        return throttled(reply, error)
      }
    },
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
      await logout(ctx, authOf(request), bearerToken(request))
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
      const caller = authOf(request)
      return meView(await currentAccount(ctx, caller), caller)
    },
  )
}
