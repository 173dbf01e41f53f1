/**
 * OAuth 2 connections (authorization code with PKCE). `startAuthorization` hands out the
 * provider's URL with a PKCE challenge and a sealed state; the provider sends the browser back
 * to the callback, where `completeAuthorization` opens the state (it authenticates the user),
 * exchanges the code and stores the tokens: a new connection, or the same one reconnected.
 */
import { randomBytes } from 'node:crypto'
import { oauth2Kind } from '../../engine/credentials.js'
import { recordAudit } from '../../store/audit.js'
import { serviceRowId } from '../../store/catalog.js'
import { saveOAuthConnection } from '../../store/connections.js'
import type { FeatureContext } from '../context.js'
import { serviceOf } from './connections.js'
import { type OAuthClientConfig, oauthClientFor } from './oauth/client.js'
import { createPkce } from './oauth/pkce.js'
import { createStateGuard, sealState, stateLifetimeMs } from './oauth/state.js'
import { storedTokens } from './oauth/stored-tokens.js'
import { exchangeCode } from './oauth/token-endpoint.js'

type Context = Pick<FeatureContext, 'store' | 'secrets' | 'registry' | 'engine' | 'config'>

export interface Authorization {
  authorizeUrl: string
  state: string
  /** The connection the callback will create or reconnect. */
  name: string
}

export function startAuthorization(
  ctx: Omit<Context, 'store'>,
  userId: string,
  serviceId: string,
  name: string | undefined,
): Authorization {
  const service = serviceOf(ctx, serviceId)
  const config = oauthClientFor(service, ctx.engine.settingsFor(service.id))
  const connectionName = name ?? service.id
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
  })
  const url = new URL(config.authorizeUrl)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', config.clientId)
  url.searchParams.set('redirect_uri', redirectUri)
  if (config.scopes.length > 0) url.searchParams.set('scope', config.scopes.join(' '))
  url.searchParams.set('state', state)
  url.searchParams.set('code_challenge', pkce.challenge)
  url.searchParams.set('code_challenge_method', 'S256')
  return { authorizeUrl: url.toString(), state, name: connectionName }
}

export interface CallbackInput {
  code?: string
  state?: string
  error?: string
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
  input: CallbackInput,
): Promise<CallbackOutcome> {
  const refused = (message: string, status = 400): CallbackOutcome => ({ status, ok: false, message })
  const { code, state, error } = input
  if (error) {
    return refused(`The provider did not grant access (${error}). Run the command again to retry.`)
  }
  if (!code || !state) return refused('The provider sent no code or no state back.')
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
    return {
      status: 200,
      ok: true,
      message: `Connected ${service.name} as "${pending.name}". You can close this tab.`,
    }
  } catch (cause) {
    // The message names the endpoint and the provider's error code, never a token.
    const message = (cause as Error).message
    return {
      status: 502,
      ok: false,
      message: `The connection could not be made: ${message}`,
      failure: { service: service.id, message },
    }
  }
}
