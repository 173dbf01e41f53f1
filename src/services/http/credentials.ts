/**
 * The connections `http.request` and `http.json_changed` accept: a bearer token, basic auth, an
 * API key (in a header or the query) or OAuth 2 client credentials, each bound to a base URL the
 * credential may be sent to (docs/architecture.md, "Connections and credentials"). Each kind has
 * exactly one secret field, which `area connections add http --kind … --token-stdin` reads from
 * stdin while the others come from `--field`.
 */
import { type TProperties, Type } from '@sinclair/typebox'
import {
  accept,
  type CredentialsCheck,
  type CredentialsDeclaration,
  defineCredentials,
  refuse,
} from '../../engine/credentials.js'
import type { JsonObject, JsonValue } from '../../engine/types.js'

const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"

const baseUrl = Type.String({
  format: 'uri',
  pattern: '^[hH][tT][tT][pP][sS]?://',
  maxLength: 2048,
  description:
    'The base URL the credential may be sent to, e.g. https://api.example.com/v1/: requests to another scheme, host, port or path are refused',
})

const secretText = (description: string) =>
  Type.String({ minLength: 1, maxLength: 8192, pattern: '^[^\\r\\n]*$', writeOnly: true, description })

const fields = (properties: TProperties) =>
  Type.Object({ baseUrl, ...properties }, { additionalProperties: false })

/**
 * Trims strings, checks the base URL (no userinfo, query or fragment) and the kind's own rule
 * (`check`, a refusal or nothing). The result is then checked against the kind's fields.
 */
function normalized<T>(
  input: Readonly<Record<string, JsonValue | undefined>>,
  check: (value: JsonObject) => CredentialsCheck<never> | undefined = () => undefined,
): CredentialsCheck<T> {
  const out: JsonObject = {}
  for (const [name, value] of Object.entries(input)) {
    if (value !== undefined) out[name] = typeof value === 'string' ? value.trim() : value
  }
  if (out.baseUrl === undefined)
    return refuse(
      '/baseUrl',
      'is required: the base URL the credential may be sent to (with the CLI: --field baseUrl=https://…)',
    )
  if (typeof out.baseUrl !== 'string' || !URL.canParse(out.baseUrl))
    return refuse('/baseUrl', 'must be an absolute http:// or https:// URL')
  const url = new URL(out.baseUrl)
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return refuse('/baseUrl', 'must be an absolute http:// or https:// URL')
  if (url.username || url.password || url.search || url.hash)
    return refuse(
      '/baseUrl',
      'must not hold user:password@, a query or a fragment: put the credential in the other fields',
    )
  out.baseUrl = url.href
  return check(out) ?? accept(out as T)
}

/** The first of these fields that is not an absolute http(s) URL, refused. */
function endpointIssue(value: JsonObject, names: string[]): CredentialsCheck<never> | undefined {
  for (const name of names) {
    const url = value[name]
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || !URL.canParse(url))
      return refuse(`/${name}`, 'must be an absolute http:// or https:// URL')
  }
  return undefined
}

export const bearerCredentials = defineCredentials({
  kind: 'bearer',
  fields: fields({ token: secretText('The token, sent as Authorization: Bearer <token>') }),
  validate: (input) => normalized(input),
})

export const basicCredentials = defineCredentials({
  kind: 'basic',
  fields: fields({
    username: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[^:\\r\\n]*$',
      description: 'The user name (no colon)',
    }),
    password: secretText('The password, sent as Authorization: Basic base64(user:password)'),
  }),
  validate: (input) => normalized(input),
})

export const apiKeyCredentials = defineCredentials({
  kind: 'api_key',
  fields: fields({
    key: secretText('The API key'),
    header: Type.Optional(
      Type.String({
        pattern: HEADER_NAME,
        maxLength: 200,
        description:
          'The request header that carries the key, e.g. X-Api-Key (default when query is not set)',
        default: 'X-Api-Key',
      }),
    ),
    query: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Send the key as this query parameter instead of a header, e.g. api_key',
      }),
    ),
  }),
  validate: (input) =>
    normalized(input, (value) =>
      value.header !== undefined && value.query !== undefined
        ? refuse('/query', 'the key goes in a header or the query, not both: remove header or query')
        : undefined,
    ),
})

export const clientCredentials = defineCredentials({
  kind: 'oauth2_client',
  fields: fields({
    tokenUrl: Type.String({
      format: 'uri',
      pattern: '^[hH][tT][tT][pP][sS]?://',
      maxLength: 2048,
      description: 'The OAuth 2 token endpoint (client_credentials grant)',
    }),
    clientId: Type.String({ minLength: 1, maxLength: 1024, description: 'The OAuth client id' }),
    clientSecret: secretText('The OAuth client secret, sent to the token endpoint with HTTP Basic auth'),
    scopes: Type.Optional(
      Type.String({ maxLength: 2048, description: 'Scopes to ask for, separated by spaces', default: '' }),
    ),
  }),
  validate: (input) => normalized(input, (value) => endpointIssue(value, ['tokenUrl'])),
})

const endpoint = (description: string) =>
  Type.String({ format: 'uri', pattern: '^[hH][tT][tT][pP][sS]?://', maxLength: 2048, description })

/**
 * OAuth 2 authorization code with PKCE against any provider, with the user's own OAuth app: the
 * connection holds the app, `area connections add http --kind oauth2_code --web` authorizes it in
 * a browser, and the provider's tokens are stored beside the app and refreshed by the worker
 * (src/features/connections/oauth/own-client.ts).
 */
export const authorizationCodeCredentials = defineCredentials({
  kind: 'oauth2_code',
  fields: fields({
    authorizeUrl: endpoint('The provider’s authorization endpoint, where the browser grants access'),
    tokenUrl: endpoint('The provider’s token endpoint (code exchange and refresh)'),
    clientId: Type.String({
      minLength: 1,
      maxLength: 1024,
      description:
        'The client id of your OAuth app, whose redirect URL is <AREA_PUBLIC_URL>/v1/connections/http/callback',
    }),
    clientSecret: secretText('The client secret of that OAuth app'),
    scopes: Type.Optional(
      Type.String({ maxLength: 2048, description: 'Scopes to ask for, separated by spaces', default: '' }),
    ),
  }),
  validate: (input) => normalized(input, (value) => endpointIssue(value, ['authorizeUrl', 'tokenUrl'])),
})

/** What the http service declares: bearer first, the others as alternatives. */
export const httpCredentials: CredentialsDeclaration = {
  ...bearerCredentials,
  alternatives: [basicCredentials, apiKeyCredentials, clientCredentials, authorizationCodeCredentials],
}

/** The provider's tokens an `oauth2_code` connection stores beside its app once authorized. */
export const tokenFields = ['accessToken', 'refreshToken', 'tokenType', 'scope'] as const
