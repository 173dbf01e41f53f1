/**
 * The browser's side of an OAuth 2 connection, with no bearer token (the sealed state says who):
 * `GET start` binds the browser with a cookie and redirects to the provider; the provider sends
 * it back to `GET callback`, which names the area account that will receive the connection and
 * exchanges nothing; the confirmation `POST callback` (form token and cookie checked) exchanges
 * the code (src/features/connections/authorize.ts, oauth/browser-binding.ts). Answers pages.
 */
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { CallbackQuery, ConfirmForm, ServiceParams, StartQuery } from '../../../../contract/connections.js'
import {
  beginInBrowser,
  completeAuthorization,
  confirmAuthorization,
} from '../../../../features/connections/authorize.js'
import type { RouteOptions } from '../../route-types.js'
import { callbackPage, confirmPage } from '../../views/connections.js'

const html = {
  produces: ['text/html'],
  response: { 200: Type.String(), '4xx': Type.String(), '5xx': Type.String() },
}

function page(reply: FastifyReply, status: number, body: string) {
  return (
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      // The confirmation must not be framed by another site and clicked through.
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      )
      .type('text/html; charset=utf-8')
      .send(body)
  )
}

export const connectionCallbackRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  await app.register(cookie)
  await app.register(formbody, { bodyLimit: 16 * 1024 })
  const secure = ctx.config.publicUrl.startsWith('https:')

  app.get(
    '/connections/:service/start',
    {
      schema: {
        summary: 'Opened in the browser: binds it to the flow (a cookie) and redirects to the provider',
        tags: ['connections'],
        params: ServiceParams,
        querystring: StartQuery,
        ...html,
      },
    },
    async (request, reply) => {
      const { service } = request.params
      const start = beginInBrowser(ctx, service, request.query.state)
      if (!start.ok) return page(reply, start.status, callbackPage(false, start.message))
      reply.setCookie(start.cookie.name, start.cookie.value, {
        path: `/v1/connections/${encodeURIComponent(service)}/`,
        httpOnly: true,
        // Lax: sent on the provider's top-level redirect back to us, never on a cross-site POST.
        sameSite: 'lax',
        secure,
        maxAge: start.cookie.maxAgeSeconds,
      })
      return reply
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .redirect(start.redirectTo, 302)
    },
  )

  app.get(
    '/connections/:service/callback',
    {
      schema: {
        summary:
          'OAuth 2 redirect target: names the area account to receive the connection and asks to confirm (an HTML page); exchanges nothing',
        tags: ['connections'],
        params: ServiceParams,
        querystring: CallbackQuery,
        ...html,
      },
    },
    async (request, reply) => {
      const { service } = request.params
      const confirmation = await confirmAuthorization(ctx, service, request.query)
      if (!confirmation.ok) return page(reply, confirmation.status, callbackPage(false, confirmation.message))
      return page(
        reply,
        200,
        confirmPage(confirmation, `/v1/connections/${encodeURIComponent(service)}/callback`),
      )
    },
  )

  app.post(
    '/connections/:service/callback',
    {
      schema: {
        summary:
          'The confirmation: exchanges the code and stores the tokens (form token and browser cookie required)',
        tags: ['connections'],
        params: ServiceParams,
        body: ConfirmForm,
        consumes: ['application/x-www-form-urlencoded'],
        ...html,
      },
    },
    async (request, reply) => {
      const { service } = request.params
      const outcome = await completeAuthorization(ctx, service, { ...request.body, cookies: request.cookies })
      if (outcome.failure) {
        request.log.warn(
          { service: outcome.failure.service, err: { message: outcome.failure.message } },
          'oauth callback failed',
        )
      } else if (outcome.status === 403) {
        request.log.warn({ service }, 'oauth confirmation refused: no matching form token or browser cookie')
      }
      return page(reply, outcome.status, callbackPage(outcome.ok, outcome.message))
    },
  )
}
