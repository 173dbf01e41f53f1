/**
 * Connections: list (never the credentials), add a token, webhook URL or SMTP server, remove
 * (refused while an AREA uses it), and OAuth 2: `authorize` hands out the provider's URL with a
 * PKCE challenge and a sealed state; the provider sends the browser back to `callback`, served
 * outside the bearer-token scope (connectionCallbackRoutes) and authenticated by that state.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Kysely } from 'kysely'
import { iso, isoOrNull, page, problemResponses } from '../../../contract/common.js'
import {
  AuthorizeAnswer,
  AuthorizeQuery,
  CallbackQuery,
  ConnectionNameParams,
  ConnectionSchema,
  CreateConnectionBody,
  ServiceParams,
} from '../../../contract/connections.js'
import type { Database } from '../../../db/schema.js'
import type { ServiceDefinition } from '../../../engine/define.js'
import type { JsonObject } from '../../../engine/types.js'
import { recordAudit } from '../../../store/audit.js'
import {
  createConnection,
  deleteConnection,
  listConnections,
  saveOAuthConnection,
} from '../../../store/connections.js'
import type { DaemonContext } from '../../context.js'
import { oauthCredentials } from '../../oauth/credentials.js'
import { OAuthNotConfiguredError, oauthConfigFor } from '../../oauth/oauth-config.js'
import { createStateGuard, sealState, stateLifetimeMs } from '../../oauth/oauth-state.js'
import { createPkce } from '../../oauth/pkce.js'
import { exchangeCode } from '../../oauth/token-endpoint.js'
import { checkCredentials } from '../connection-credentials.js'
import { authOf } from '../plugins/auth.js'
import { ProblemError } from '../problems.js'
import type { RouteOptions } from './auth.js'
import { callbackPage } from './connection-pages.js'

export const connectionRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  const db = ctx.store.db

  app.get(
    '/connections',
    {
      schema: {
        summary: 'Your connections: service, kind and status, never the credentials',
        tags: ['connections'],
        response: { 200: page(ConnectionSchema), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request)
      const connections = await listConnections(db, auth.userId)
      // A handful per user: one page.
      return {
        items: connections.map((c) => ({
          name: c.name,
          service: c.service,
          kind: c.kind,
          status: c.status,
          statusDetail: c.statusDetail,
          tokenExpiresAt: isoOrNull(c.tokenExpiresAt),
          createdAt: iso(c.createdAt),
        })),
        nextCursor: null,
      }
    },
  )

  app.post(
    '/connections',
    {
      schema: {
        summary: 'Add a connection holding a token, a webhook URL or SMTP settings',
        tags: ['connections'],
        body: CreateConnectionBody,
        response: { 201: ConnectionSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request)
      const { kind } = request.body
      const service = serviceOf(ctx, request.body.service)
      const name = request.body.name ?? service.id
      const credentials = checkCredentials(service, kind, request.body.credentials as JsonObject)
      const created = await db.transaction().execute(async (trx) => {
        const made = await createConnection(trx, {
          userId: auth.userId,
          serviceId: await serviceRowId(trx, service.id),
          name,
          kind,
          credentialsEncrypted: ctx.secrets.seal(JSON.stringify(credentials)),
        })
        if (!made) {
          throw new ProblemError(
            'connection_exists',
            `you already have a connection named "${name}": pick another with --name, or remove it first with \`area connections remove ${name}\``,
          )
        }
        await recordAudit(trx, {
          userId: auth.userId,
          action: 'connection.created',
          target: `connection/${name}`,
          metadata: { service: service.id, kind },
        })
        return made
      })
      return reply.code(201).send({
        name,
        service: service.id,
        kind,
        status: 'active',
        statusDetail: null,
        tokenExpiresAt: null,
        createdAt: iso(created.createdAt),
      })
    },
  )

  app.delete(
    '/connections/:name',
    {
      schema: {
        summary: 'Remove a connection no AREA uses',
        tags: ['connections'],
        params: ConnectionNameParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request)
      const { name } = request.params
      await db.transaction().execute(async (trx) => {
        const result = await deleteConnection(trx, auth.userId, name)
        if (result.outcome === 'missing') {
          throw new ProblemError(
            'connection_not_found',
            `you have no connection named "${name}" (see \`area connections list\`)`,
          )
        }
        if (result.outcome === 'in_use') {
          const list = result.areas.map((a) => `"${a}"`).join(', ')
          throw new ProblemError(
            'connection_in_use',
            `connection "${name}" is used by ${result.areas.length === 1 ? 'AREA' : 'AREAs'} ${list}: delete them or apply them with another connection first`,
          )
        }
        await recordAudit(trx, {
          userId: auth.userId,
          action: 'connection.deleted',
          target: `connection/${name}`,
        })
      })
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/connections/:service/authorize',
    {
      schema: {
        summary: 'Start an OAuth 2 connection: the URL to open in a browser (authorization code + PKCE)',
        tags: ['connections'],
        params: ServiceParams,
        querystring: AuthorizeQuery,
        response: { 200: AuthorizeAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request)
      const service = serviceOf(ctx, request.params.service)
      const config = oauthConfigOrProblem(ctx, service)
      const name = request.query.name ?? service.id
      const pkce = createPkce()
      const redirectUri = callbackUrl(ctx, service.id)
      const state = sealState(ctx.secrets, {
        userId: auth.userId,
        service: service.id,
        name,
        verifier: pkce.verifier,
        redirectUri,
        expiresAt: Date.now() + stateLifetimeMs,
        nonce: randomBytes(16).toString('base64url'),
      })
      const url = new URL(config.authorizeUrl)
      url.searchParams.set('response_type', 'code')
      url.searchParams.set('client_id', config.clientId)
      url.searchParams.set('redirect_uri', redirectUri)
      if (config.scopes.length > 0) url.searchParams.set('scope', config.scopes.join(' '))
      url.searchParams.set('state', state)
      url.searchParams.set('code_challenge', pkce.challenge)
      url.searchParams.set('code_challenge_method', 'S256')
      return { authorizeUrl: url.toString(), state, name }
    },
  )
}

/** Hit by the user's browser, sent back by the provider: no bearer token, the state proves who. */
export const connectionCallbackRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ctx }) => {
  const db = ctx.store.db
  const guard = createStateGuard(ctx.secrets, db)

  app.get(
    '/connections/:service/callback',
    {
      schema: {
        summary: 'OAuth 2 redirect target: exchanges the code and stores the tokens (an HTML page)',
        tags: ['connections'],
        params: ServiceParams,
        querystring: CallbackQuery,
        produces: ['text/html'],
        response: { 200: Type.String(), '4xx': Type.String(), '5xx': Type.String() },
      },
    },
    async (request, reply) => {
      const page = (status: number, ok: boolean, message: string) =>
        reply
          .code(status)
          .header('cache-control', 'no-store')
          .header('referrer-policy', 'no-referrer')
          .type('text/html; charset=utf-8')
          .send(callbackPage(ok, message))
      const { code, state, error } = request.query
      const serviceId = request.params.service
      if (error) {
        return page(
          400,
          false,
          `The provider did not grant access (${error}). Run the command again to retry.`,
        )
      }
      if (!code || !state) return page(400, false, 'The provider sent no code or no state back.')
      const check = await guard.open(state)
      if (!check.ok) {
        const why = {
          invalid: 'This link is not valid.',
          expired: 'This authorization expired (it lasts ten minutes).',
          used: 'This authorization was already used.',
        }[check.reason]
        return page(400, false, `${why} Run \`area connections add ${serviceId} --web\` again.`)
      }
      const pending = check.pending
      const service = ctx.registry.service(pending.service)
      if (!service || pending.service !== serviceId) return page(400, false, 'This link is not valid.')
      let config: ReturnType<typeof oauthConfigFor>
      try {
        config = oauthConfigFor(service, ctx.engine.settingsFor(service.id))
      } catch (cause) {
        return page(400, false, (cause as Error).message)
      }
      try {
        const tokens = await exchangeCode(config, {
          code,
          verifier: pending.verifier,
          redirectUri: pending.redirectUri,
        })
        const saved = await db.transaction().execute(async (trx) => {
          const row = await saveOAuthConnection(trx, {
            userId: pending.userId,
            serviceId: await serviceRowId(trx, service.id),
            name: pending.name,
            credentialsEncrypted: ctx.secrets.seal(JSON.stringify(oauthCredentials(tokens))),
            tokenExpiresAt: tokens.expiresAt ?? null,
          })
          if (row) {
            await recordAudit(trx, {
              userId: pending.userId,
              action: 'connection.authorized',
              target: `connection/${pending.name}`,
              metadata: { service: service.id, kind: 'oauth2' },
            })
          }
          return row
        })
        if (!saved) {
          return page(
            409,
            false,
            `You already have a connection named "${pending.name}" for another service. Run \`area connections add ${service.id} --web --name <another-name>\`.`,
          )
        }
        return page(200, true, `Connected ${service.name} as "${pending.name}". You can close this tab.`)
      } catch (cause) {
        // The message names the endpoint and the provider's error code, never a token.
        request.log.warn(
          { service: service.id, err: { message: (cause as Error).message } },
          'oauth callback failed',
        )
        return page(502, false, `The connection could not be made: ${(cause as Error).message}`)
      }
    },
  )
}

function serviceOf(ctx: DaemonContext, id: string): ServiceDefinition {
  const service = ctx.registry.service(id)
  if (!service) {
    throw new ProblemError('service_not_found', `no service "${id}" (see \`area services list\`)`)
  }
  return service
}

function oauthConfigOrProblem(ctx: DaemonContext, service: ServiceDefinition) {
  try {
    return oauthConfigFor(service, ctx.engine.settingsFor(service.id))
  } catch (error) {
    if (error instanceof OAuthNotConfiguredError)
      throw new ProblemError('oauth_not_configured', error.message)
    throw error
  }
}

function callbackUrl(ctx: DaemonContext, service: string): string {
  return `${ctx.config.publicUrl}/v1/connections/${encodeURIComponent(service)}/callback`
}

async function serviceRowId(db: Kysely<Database>, key: string): Promise<string> {
  const row = await db.selectFrom('services').select('id').where('key', '=', key).executeTakeFirstOrThrow()
  return row.id
}
