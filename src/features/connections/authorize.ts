/**
 * OAuth 2 connections (authorization code with PKCE). `startAuthorization` hands out a URL of
 * ours carrying a sealed state; opened in a browser, `beginInBrowser` binds that browser with a
 * cookie and sends it on to the provider with the PKCE challenge. The provider sends the browser
 * back to the callback, where `confirmAuthorization` names the area account that will receive
 * the connection and exchanges nothing; the confirmation POST (`completeAuthorization`, form
 * token and cookie checked, see oauth/browser-binding.ts) opens the state once, exchanges the
 * code and stores the tokens: a new connection, or the same one reconnected.
 */
import { randomBytes } from 'node:crypto'
import { declaredCredentials, oauth2Kind } from '../../engine/credentials.js'
import type { ServiceDefinition } from '../../engine/define.js'
import { recordAudit } from '../../store/audit.js'
import { serviceRowId } from '../../store/catalog.js'
import { saveConnectionTokens, saveOAuthConnection } from '../../store/connections.js'
import { findUserById } from '../../store/users.js'
import type { FeatureContext } from '../context.js'
import { serviceOf } from './connections.js'
import {
  bindingCookie,
  confirmTokenMatches,
  cookieMatches,
  sealConfirmToken,
} from './oauth/browser-binding.js'
import { type OAuthClientConfig, oauthClientFor } from './oauth/client.js'
import { ownClientConnection } from './oauth/own-client.js'
import { createPkce, pkceChallenge } from './oauth/pkce.js'
import {
  createStateGuard,
  type PendingAuthorization,
  peekState,
  type StateCheck,
  sealState,
  stateLifetimeMs,
} from './oauth/state.js'
import { storedTokens, withoutTokens } from './oauth/stored-tokens.js'
import { exchangeCode } from './oauth/token-endpoint.js'

type Context = Pick<FeatureContext, 'store' | 'secrets' | 'registry' | 'engine' | 'config'>

export interface Authorization {
  authorizeUrl: string
  state: string
  /** The connection the callback will create or reconnect. */
  name: string
}

export async function startAuthorization(
  ctx: Context,
  userId: string,
  serviceId: string,
  name: string | undefined,
): Promise<Authorization> {
  const service = serviceOf(ctx, serviceId)
  const connectionName = name ?? service.id
  // A connection with its own OAuth app (http's oauth2_code) is authorized with that app.
  const own = declaredCredentials(service)?.oauth2
    ? undefined
    : await ownClientConnection(ctx.store.db, ctx.secrets, userId, service.id, connectionName)
  // Throws, naming the variables, when this server has no OAuth app for the service.
  if (!own) oauthClientFor(service, ctx.engine.settingsFor(service.id))
  const pkce = createPkce()
  const redirectUri = `${ctx.config.publicUrl}/v1/connections/${encodeURIComponent(service.id)}/callback`
  const state = sealState(ctx.secrets, {
    userId,
    service: service.id,
    name: connectionName,
    verifier: pkce.verifier,
    redirectUri,
    expiresAt: Date.now() + stateLifetimeMs,
    nonce: randomBytes(16).toString('base64url'),
    ...(own
      ? {
          client: {
            authorizeUrl: own.client.authorizeUrl,
            clientId: own.client.clientId,
            scopes: [...own.client.scopes],
          },
        }
      : {}),
  })
  // Our own URL first: the browser that opens it gets the cookie the confirmation needs.
  const start = `${ctx.config.publicUrl}/v1/connections/${encodeURIComponent(service.id)}/start?state=${encodeURIComponent(state)}`
  return { authorizeUrl: start, state, name: connectionName }
}

/** The provider's authorization URL for a pending flow. */
function providerUrl(
  config: Pick<OAuthClientConfig, 'authorizeUrl' | 'clientId' | 'scopes'>,
  pending: PendingAuthorization,
  state: string,
): string {
  const url = new URL(config.authorizeUrl)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', config.clientId)
  url.searchParams.set('redirect_uri', pending.redirectUri)
  if (config.scopes.length > 0) url.searchParams.set('scope', config.scopes.join(' '))
  url.searchParams.set('state', state)
  url.searchParams.set('code_challenge', pkceChallenge(pending.verifier))
  url.searchParams.set('code_challenge_method', 'S256')
  return url.toString()
}

export type BrowserStart =
  | { ok: true; redirectTo: string; cookie: { name: string; value: string; maxAgeSeconds: number } }
  | { ok: false; status: number; message: string }

/** `GET /start`: binds this browser to the flow, then on to the provider. */
export function beginInBrowser(
  ctx: Omit<Context, 'store'>,
  serviceId: string,
  state: string | undefined,
): BrowserStart {
  const check = state ? peekState(ctx.secrets, state) : ({ ok: false, reason: 'invalid' } as const)
  if (!check.ok || check.pending.service !== serviceId)
    return { ok: false, status: 400, message: stateProblem(check, serviceId) }
  const service = ctx.registry.service(serviceId)
  if (!service) return { ok: false, status: 400, message: 'This link is not valid.' }
  let config: Pick<OAuthClientConfig, 'authorizeUrl' | 'clientId' | 'scopes'>
  try {
    config = check.pending.client ?? oauthClientFor(service, ctx.engine.settingsFor(service.id))
  } catch (cause) {
    return { ok: false, status: 400, message: (cause as Error).message }
  }
  return {
    ok: true,
    redirectTo: providerUrl(config, check.pending, state as string),
    cookie: bindingCookie(check.pending),
  }
}

export type Confirmation =
  | {
      ok: true
      /** Who receives the connection: the e-mail of the area account that started the flow. */
      account: string
      serviceName: string
      connectionName: string
      code: string
      state: string
      token: string
    }
  | { ok: false; status: number; message: string }

/** `GET /callback`: names the receiving account and hands out the confirmation form; exchanges nothing. */
export async function confirmAuthorization(
  ctx: Context,
  serviceId: string,
  input: CallbackInput,
): Promise<Confirmation> {
  const { code, state, error } = input
  if (error) {
    return {
      ok: false,
      status: 400,
      message: `The provider did not grant access (${error}). Run the command again to retry.`,
    }
  }
  if (!code || !state)
    return { ok: false, status: 400, message: 'The provider sent no code or no state back.' }
  const check = peekState(ctx.secrets, state)
  if (!check.ok || check.pending.service !== serviceId)
    return { ok: false, status: 400, message: stateProblem(check, serviceId) }
  const user = await findUserById(ctx.store.db, check.pending.userId)
  const service = ctx.registry.service(serviceId)
  if (!user || !service) return { ok: false, status: 400, message: 'This link is not valid.' }
  return {
    ok: true,
    account: user.email,
    serviceName: service.name,
    connectionName: check.pending.name,
    code,
    state,
    token: sealConfirmToken(ctx.secrets, check.pending),
  }
}

function stateProblem(check: StateCheck, serviceId: string): string {
  if (check.ok) return 'This link is not valid.'
  const why = {
    invalid: 'This link is not valid.',
    expired: 'This authorization expired (it lasts ten minutes).',
    used: 'This authorization was already used.',
  }[check.reason]
  return `${why} Run \`area connections add ${serviceId} --web\` again.`
}

export interface CallbackInput {
  code?: string
  state?: string
  error?: string
}

/** The confirmation POST: the form's fields and the browser's cookies. */
export interface ConfirmInput {
  code?: string
  state?: string
  token?: string
  cookies: Readonly<Record<string, string | undefined>>
}

/** What the browser is shown; `failure` is for the server's log (it never holds a token). */
export interface CallbackOutcome {
  status: number
  ok: boolean
  message: string
  failure?: { service: string; message: string }
}

export async function completeAuthorization(
  ctx: Context,
  serviceId: string,
  input: ConfirmInput,
): Promise<CallbackOutcome> {
  const refused = (message: string, status = 400): CallbackOutcome => ({ status, ok: false, message })
  const { code, state } = input
  if (!code || !state) return refused('The form sent no code or no state.')
  // Checked before the state is used up, so a forged POST cannot burn someone else's flow.
  const peeked = peekState(ctx.secrets, state)
  if (!peeked.ok || peeked.pending.service !== serviceId) return refused(stateProblem(peeked, serviceId))
  if (
    !confirmTokenMatches(ctx.secrets, peeked.pending, input.token) ||
    !cookieMatches(peeked.pending, input.cookies)
  ) {
    return refused(
      `This confirmation did not come from the browser that started the connection. Run \`area connections add ${serviceId} --web\` again, and open its link yourself.`,
      403,
    )
  }
  const check = await createStateGuard(ctx.secrets, ctx.store.db).open(state)
  if (!check.ok) {
    const why = {
      invalid: 'This link is not valid.',
      expired: 'This authorization expired (it lasts ten minutes).',
      used: 'This authorization was already used.',
    }[check.reason]
    return refused(`${why} Run \`area connections add ${serviceId} --web\` again.`)
  }
  const pending = check.pending
  const service = ctx.registry.service(pending.service)
  if (!service || pending.service !== serviceId) return refused('This link is not valid.')
  if (pending.client) return completeOwnClient(ctx, service, pending, code)
  let config: OAuthClientConfig
  try {
    config = oauthClientFor(service, ctx.engine.settingsFor(service.id))
  } catch (cause) {
    return refused((cause as Error).message)
  }
  try {
    const tokens = await exchangeCode(config, {
      code,
      verifier: pending.verifier,
      redirectUri: pending.redirectUri,
    })
    const saved = await ctx.store.db.transaction().execute(async (trx) => {
      const row = await saveOAuthConnection(trx, {
        userId: pending.userId,
        serviceId: await serviceRowId(trx, service.id),
        name: pending.name,
        credentialsEncrypted: ctx.secrets.seal(JSON.stringify(storedTokens(tokens))),
        tokenExpiresAt: tokens.expiresAt ?? null,
      })
      if (row) {
        await recordAudit(trx, {
          userId: pending.userId,
          action: 'connection.authorized',
          target: `connection/${pending.name}`,
          metadata: { service: service.id, kind: oauth2Kind },
        })
      }
      return row
    })
    if (!saved) {
      return refused(
        `You already have a connection named "${pending.name}" for another service. Run \`area connections add ${service.id} --web --name <another-name>\`.`,
        409,
      )
    }
    return connected(service, pending.name)
  } catch (cause) {
    return exchangeFailed(service, cause)
  }
}

function connected(service: ServiceDefinition, name: string): CallbackOutcome {
  return { status: 200, ok: true, message: `Connected ${service.name} as "${name}". You can close this tab.` }
}

/** The message names the endpoint and the provider's error code, never a token. */
function exchangeFailed(service: ServiceDefinition, cause: unknown): CallbackOutcome {
  const message = (cause as Error).message
  return {
    status: 502,
    ok: false,
    message: `The connection could not be made: ${message}`,
    failure: { service: service.id, message },
  }
}

/** The code exchange of a connection with its own OAuth app: the tokens join the app in it. */
async function completeOwnClient(
  ctx: Context,
  service: ServiceDefinition,
  pending: PendingAuthorization,
  code: string,
): Promise<CallbackOutcome> {
  const own = await ownClientConnection(ctx.store.db, ctx.secrets, pending.userId, service.id, pending.name)
  if (!own) {
    return {
      status: 400,
      ok: false,
      message: `The connection "${pending.name}" no longer holds an OAuth app. Add it again with \`area connections add ${service.id} --kind oauth2_code --name ${pending.name} --web\`.`,
    }
  }
  try {
    const tokens = await exchangeCode(own.client, {
      code,
      verifier: pending.verifier,
      redirectUri: pending.redirectUri,
    })
    await ctx.store.db.transaction().execute(async (trx) => {
      await saveConnectionTokens(trx, own.id, {
        credentialsEncrypted: ctx.secrets.seal(
          JSON.stringify({ ...withoutTokens(own.credentials), ...storedTokens(tokens) }),
        ),
        tokenExpiresAt: tokens.expiresAt ?? null,
      })
      await recordAudit(trx, {
        userId: pending.userId,
        action: 'connection.authorized',
        target: `connection/${pending.name}`,
        metadata: { service: service.id, kind: 'oauth2_code' },
      })
    })
    return connected(service, pending.name)
  } catch (cause) {
    return exchangeFailed(service, cause)
  }
}
