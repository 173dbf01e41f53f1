/**
 * Applies an http connection to a request: the credential goes in a header or the query of a
 * request to the connection's base URL only (any other target is refused before anything is
 * sent), the headers it sets are dropped on a redirect to another origin, an `oauth2_client`
 * token is renewed once on a 401, and the secret values are masked out of whatever the run
 * records (errors, output), should a server echo them (docs/architecture.md, "Connections and
 * credentials").
 */
import { parseAuthOf } from '../../engine/credentials.js'
import { type AreaError, PermanentError } from '../../engine/errors.js'
import type { Credentials, JsonValue } from '../../engine/types.js'
import type { HttpResponse } from '../../net/client.js'
import type { Target } from '../../net/target.js'
import {
  type ClientCredentialsConfig,
  clientCredentialsToken,
  forgetClientCredentialsToken,
} from './client-credentials.js'
import { httpCredentials, tokenFields } from './credentials.js'

const declarations = [httpCredentials, ...(httpCredentials.alternatives ?? [])]

export interface ConnectionAuth {
  /** Sends the request with the credential, once more with a new token after a 401 when that can help. */
  send(
    target: Target,
    headers: Headers,
    send: (target: Target, headers: Headers, boundHeaders: string[]) => Promise<HttpResponse>,
  ): Promise<HttpResponse>
  /** A value with every secret of the connection replaced by `<secret>`. */
  mask<T extends JsonValue>(value: T): T
  /** Masks an error's message in place, and returns it. */
  maskError(error: unknown): unknown
}

interface AuthOptions {
  signal: AbortSignal
  allowPrivate: string | undefined
}

/** The connection's way to authenticate requests to `target`, or undefined without a connection. */
export function connectionAuth(
  auth: Credentials | undefined,
  target: Target,
  options: AuthOptions,
): ConnectionAuth | undefined {
  if (!auth) return undefined
  // An oauth2_code connection holds the provider's tokens beside the fields it was made from.
  const tokens = Object.fromEntries(tokenFields.map((name) => [name, auth[name]]))
  const made = Object.fromEntries(
    Object.entries(auth).filter(([name]) => !(tokenFields as readonly string[]).includes(name)),
  )
  const { kind, value } = parseAuthOf(declarations, made)
  if (kind === 'oauth2_code' && (typeof tokens.accessToken !== 'string' || tokens.accessToken === '')) {
    throw new PermanentError(
      'the oauth2_code connection is not authorized yet: run `area connections add http --name <connection> --web` and grant access in the browser',
      { code: 'connection_unusable' },
    )
  }
  const base = new URL(String(value.baseUrl))
  assertWithinBase(base, target.url)
  const secrets = [
    value.token,
    value.password,
    value.key,
    value.clientSecret,
    tokens.accessToken,
    tokens.refreshToken,
  ]
    .filter((s): s is string => typeof s === 'string' && s !== '')
    // The forms a secret takes on the wire, too: a Basic header's base64.
    .concat(kind === 'basic' ? [Buffer.from(`${value.username}:${value.password}`).toString('base64')] : [])
    .sort((a, b) => b.length - a.length)
  const client: ClientCredentialsConfig | undefined =
    kind === 'oauth2_client'
      ? {
          tokenUrl: String(value.tokenUrl),
          clientId: String(value.clientId),
          clientSecret: String(value.clientSecret),
          scopes: typeof value.scopes === 'string' ? value.scopes : undefined,
        }
      : undefined
  const issued: string[] = []

  const maskText = (text: string) =>
    [...secrets, ...issued].reduce((t, s) => t.split(s).join('<secret>'), text)
  const mask = <T extends JsonValue>(item: T): T => {
    if (typeof item === 'string') return maskText(item) as T
    if (Array.isArray(item)) return item.map((v) => mask(v)) as T
    if (item !== null && typeof item === 'object')
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, mask(v)])) as T
    return item
  }

  /** Headers and query the credential adds; the header names are bound to the target's origin. */
  const apply = async (url: URL, headers: Headers): Promise<string[]> => {
    switch (kind) {
      case 'bearer':
        headers.set('authorization', `Bearer ${value.token}`)
        return ['authorization']
      case 'basic':
        headers.set(
          'authorization',
          `Basic ${Buffer.from(`${value.username}:${value.password}`).toString('base64')}`,
        )
        return ['authorization']
      case 'api_key':
        if (typeof value.query === 'string') {
          url.searchParams.set(value.query, String(value.key))
          return []
        }
        headers.set(typeof value.header === 'string' ? value.header : 'X-Api-Key', String(value.key))
        return [typeof value.header === 'string' ? value.header.toLowerCase() : 'x-api-key']
      case 'oauth2_code':
        // Refreshed before the run when it expires soon (src/store/connection-credentials.ts).
        headers.set('authorization', `Bearer ${tokens.accessToken}`)
        return ['authorization']
      default: {
        const token = await clientCredentialsToken(client as ClientCredentialsConfig, options)
        issued.push(token)
        headers.set('authorization', `Bearer ${token}`)
        return ['authorization']
      }
    }
  }

  return {
    async send(target, headers, send) {
      for (let attempt = 0; ; attempt++) {
        const url = new URL(target.url)
        const withAuth = new Headers(headers)
        const bound = await apply(url, withAuth)
        const response = await send({ ...target, url }, withAuth, bound)
        // A client-credentials token may have been revoked or rotated early: one new one.
        if (response.status === 401 && client && attempt === 0) {
          forgetClientCredentialsToken(client)
          continue
        }
        return response
      }
    },
    mask,
    maskError(error) {
      if (error instanceof Error) error.message = maskText(error.message)
      return error as AreaError
    },
  }
}

/**
 * A connection's credential goes to its base URL only: same scheme, host and port, and a path
 * under the base's. Checked before anything is sent, so a template that builds the URL from an
 * event cannot send the credential elsewhere.
 */
function assertWithinBase(base: URL, url: URL): void {
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`
  const within =
    url.origin === base.origin && (url.pathname === base.pathname || url.pathname.startsWith(basePath))
  if (!within) {
    throw new PermanentError(
      `the connection is for ${base.origin}${base.pathname} and its credential is not sent to ${url.origin}${url.pathname}: call a URL under the connection's baseUrl, or use another connection (area connections update to change its baseUrl)`,
      { code: 'connection_host_mismatch' },
    )
  }
}
