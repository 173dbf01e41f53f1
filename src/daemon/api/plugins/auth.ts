/**
 * Bearer-token authentication for `/v1`. Routes registered in the authenticated scope (app.ts)
 * get `request.auth`, the caller (features/accounts/authenticate.ts says who it is, or refuses
 * with the same 401 whatever was wrong with the token).
 */
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import {
  type AuthenticateOptions,
  type Caller,
  createAuthenticator,
} from '../../../features/accounts/authenticate.js'
import type { DaemonContext } from '../../context.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook; null outside the authenticated scope. */
    auth: Caller | null
  }
}

export function decorateAuth(app: FastifyInstance): void {
  app.decorateRequest('auth', null)
}

const bearer = /^Bearer +(\S+) *$/i

/** The bearer token of the request, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return bearer.exec(request.headers.authorization ?? '')?.[1]
}

export function authenticate(
  ctx: DaemonContext,
  options: AuthenticateOptions = {},
): onRequestAsyncHookHandler {
  const callerOf = createAuthenticator(ctx, options)
  return async (request) => {
    request.auth = await callerOf(bearerToken(request))
  }
}

/** The caller; only for routes in the authenticated scope, where the hook has run. */
export function authOf(request: FastifyRequest): Caller {
  if (!request.auth) throw new Error(`${request.url} is served outside the authenticated scope`)
  return request.auth
}
