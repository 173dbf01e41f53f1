/**
 * What a service declares about its connections: the kind of a connection made from fields a
 * person gives, the fields as a TypeBox schema (descriptions, defaults; `writeOnly` marks a
 * secret), an optional `validate` that turns what was typed into what is stored, and an optional
 * OAuth 2 block. The API checks `POST /v1/connections` against the declaration, the catalog shows
 * it, the CLI prompts from it, and a handler reads `ctx.auth` typed with `parseAuth`
 * (docs/architecture.md, "Connections and credentials").
 */
import { type Static, type TObject, Type } from '@sinclair/typebox'
import type { ServiceDefinition, ServiceSetting } from './define.js'
import { AreaError, type Issue, PermanentError } from './errors.js'
import { validateParams } from './params.js'
import type { Credentials, JsonObject, JsonValue } from './types.js'

/** A connection kind is a name: lowercase letters, digits and underscores (the database checks it too). */
export const credentialKindPattern = '^[a-z][a-z0-9_]{0,62}$'

/** The kind of the connections the OAuth 2 flow makes (their credentials are the provider's tokens). */
export const oauth2Kind = 'oauth2'

export interface OAuth2Declaration {
  /** Where the browser is sent to grant access. */
  authorizeUrl: string
  /** Where codes and refresh tokens are exchanged for tokens. */
  tokenUrl: string
  scopes: readonly string[]
}

/** What a person typed (a prompt's strings, JSON from stdin), by declared field name. */
export type CredentialsInput<S extends TObject> = { readonly [K in keyof Static<S>]?: JsonValue }

export type CredentialsCheck<T> = { ok: true; value: T } | { ok: false; issues: Issue[] }

export interface CredentialsDeclaration<S extends TObject = TObject> {
  /** Stored with the connection and shown by `area connections list`, e.g. `token`, `smtp`. */
  kind: string
  /** The credentials as stored and handed to handlers; `writeOnly: true` marks a secret field. */
  fields: S
  /**
   * Turns the given fields (only declared ones, unchecked) into the stored shape, or refuses with
   * a path relative to the credentials (`/token`; `''` for the whole). The result is then checked
   * against `fields`. Without it, the given fields are checked as they are.
   */
  validate?(input: CredentialsInput<S>): CredentialsCheck<Static<S>>
  /** The service also connects through OAuth 2 (connections of kind `oauth2`). */
  oauth2?: OAuth2Declaration
  /**
   * Other kinds the service's connections may have (an HTTP API's bearer, basic or API key),
   * each with fields of its own; `area connections add <service> --kind <kind>` picks one. Their
   * required fields must differ, so stored credentials tell which kind they are (`parseAuthOf`).
   */
  alternatives?: readonly CredentialsDeclaration[]
}

/** A service that needs no connection: its actions and reactions take what they need as params. */
export interface NoCredentials {
  kind: 'none'
}

export type ServiceAuth = NoCredentials | CredentialsDeclaration

export const accept = <T>(value: T): CredentialsCheck<T> => ({ ok: true, value })
export const refuse = (path: string, message: string): CredentialsCheck<never> => ({
  ok: false,
  issues: [{ path, message }],
})

/** Declares a service's credentials; `validate` is typed from `fields`. */
export function defineCredentials<S extends TObject>(
  declaration: CredentialsDeclaration<S>,
): CredentialsDeclaration<S> {
  const reserved = ['none', oauth2Kind]
  if (!new RegExp(credentialKindPattern).test(declaration.kind) || reserved.includes(declaration.kind)) {
    throw new AreaError(
      'invalid_service',
      `credentials kind "${declaration.kind}" must match ${credentialKindPattern} and not be ${reserved.join(' or ')}`,
    )
  }
  return declaration
}

const tokenMessage = 'must be a non-empty token (at most 8192 characters)'

/** The common shape: one secret token (an API key, a personal access token), trimmed. */
export function tokenCredentials(
  options: { description?: string; oauth2?: OAuth2Declaration } = {},
): CredentialsDeclaration {
  const fields = Type.Object(
    {
      token: Type.String({
        minLength: 1,
        maxLength: 8192,
        writeOnly: true,
        description: options.description ?? 'The token, sent to the service on each call',
      }),
    },
    { additionalProperties: false },
  )
  return defineCredentials({
    kind: 'token',
    fields,
    validate: ({ token }) =>
      typeof token === 'string' && token.trim() !== '' && token.length <= 8192
        ? accept({ token: token.trim() })
        : refuse('/token', tokenMessage),
    ...(options.oauth2 ? { oauth2: options.oauth2 } : {}),
  })
}

/** The service's declaration, or undefined when it needs no connection. */
export function declaredCredentials(service: ServiceDefinition): CredentialsDeclaration | undefined {
  return 'fields' in service.auth ? service.auth : undefined
}

/** The declared credentials and their alternatives, the declared ones first. */
export function declarationsOf(service: ServiceDefinition): CredentialsDeclaration[] {
  const declared = declaredCredentials(service)
  return declared ? [declared, ...(declared.alternatives ?? [])] : []
}

/** The declaration a connection of `kind` is made from, if the service declares that kind. */
export function declarationOfKind(
  service: ServiceDefinition,
  kind: string,
): CredentialsDeclaration | undefined {
  return declarationsOf(service).find((d) => d.kind === kind)
}

/** Every kind a connection of the service may have: its declared kinds, and `oauth2` with an OAuth block. */
export function connectionKinds(service: ServiceDefinition): string[] {
  const declared = declaredCredentials(service)
  if (!declared) return []
  const kinds = declarationsOf(service).map((d) => d.kind)
  return declared.oauth2 ? [...kinds, oauth2Kind] : kinds
}

/** The catalog's one-word summary: `none`, `oauth2` when OAuth is possible, else the declared kind. */
export function authKindOf(service: ServiceDefinition): string {
  const declared = declaredCredentials(service)
  if (!declared) return 'none'
  return declared.oauth2 ? oauth2Kind : declared.kind
}

/**
 * Keeps the declared fields of `input`, runs `validate`, then checks the result against `fields`
 * (filling defaults). Issue paths start with `basePath`, e.g. `/credentials`.
 */
export function checkCredentials(
  declaration: CredentialsDeclaration,
  input: Readonly<Record<string, unknown>>,
  basePath = '',
): CredentialsCheck<JsonObject> {
  const given = Object.fromEntries(
    Object.keys(declaration.fields.properties)
      .filter((name) => input[name] !== undefined)
      .map((name) => [name, input[name] as JsonValue]),
  )
  let value: JsonObject = given
  if (declaration.validate) {
    const normalized = declaration.validate(given)
    if (!normalized.ok) {
      return {
        ok: false,
        issues: normalized.issues.map((issue) => ({ ...issue, path: `${basePath}${issue.path}` })),
      }
    }
    value = normalized.value as JsonObject
  }
  return validateParams(declaration.fields, value, basePath, 'run')
}

/**
 * A handler's connection, typed: the stored credentials checked as at creation. Throws a
 * permanent `connection_missing` error with `missing` when the AREA names no connection, and
 * `connection_invalid` when what is stored no longer fits.
 */
export function parseAuth<S extends TObject>(
  declaration: CredentialsDeclaration<S>,
  auth: Credentials | undefined,
  missing: string,
): Static<S> {
  if (!auth) throw new PermanentError(missing, { code: 'connection_missing' })
  const checked = checkCredentials(declaration as unknown as CredentialsDeclaration, auth)
  if (!checked.ok) {
    const what = checked.issues.map((i) => (i.path ? `${i.path.slice(1)} ${i.message}` : i.message))
    throw new PermanentError(
      `the ${declaration.kind} connection is invalid: ${what.join('; ')}; add it again`,
      { code: 'connection_invalid' },
    )
  }
  return checked.value as Static<S>
}

/**
 * A handler's connection when the service declares several kinds: the first declaration whose
 * fields the stored credentials fit (their required fields differ), with its kind.
 */
export function parseAuthOf(
  declarations: readonly CredentialsDeclaration[],
  auth: Credentials,
): { kind: string; value: JsonObject } {
  for (const declaration of declarations) {
    const checked = checkCredentials(declaration, auth)
    if (checked.ok && Object.keys(auth).every((name) => name in declaration.fields.properties)) {
      return { kind: declaration.kind, value: checked.value }
    }
  }
  const kinds = declarations.map((d) => d.kind).join(', ')
  throw new PermanentError(`the connection fits none of the kinds ${kinds}; add it again`, {
    code: 'connection_invalid',
  })
}

/** The names under which `settingsFor` holds an OAuth client's settings. */
const oauthKeys = {
  clientId: 'oauthClientId',
  clientSecret: 'oauthClientSecret',
  authorizeUrl: 'oauthAuthorizeUrl',
  tokenUrl: 'oauthTokenUrl',
} as const

/**
 * The settings an OAuth 2 block brings, read from variables named after the service id:
 * AREA_<ID>_CLIENT_ID and AREA_<ID>_CLIENT_SECRET (the OAuth app whoever runs the server
 * registered), AREA_<ID>_OAUTH_AUTHORIZE_URL and AREA_<ID>_OAUTH_TOKEN_URL (the endpoints, for
 * self-hosted providers and tests).
 */
export function oauthSettings(service: ServiceDefinition): Record<string, ServiceSetting> {
  const oauth2 = declaredCredentials(service)?.oauth2
  if (!oauth2) return {}
  const prefix = `AREA_${service.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`
  const command = `\`area connections add ${service.id} --web\``
  return {
    [oauthKeys.clientId]: {
      env: `${prefix}_CLIENT_ID`,
      default: '',
      description: `Client id of the ${service.name} OAuth app used by ${command}`,
    },
    [oauthKeys.clientSecret]: {
      env: `${prefix}_CLIENT_SECRET`,
      default: '',
      description: 'Client secret of that OAuth app',
    },
    [oauthKeys.authorizeUrl]: {
      env: `${prefix}_OAUTH_AUTHORIZE_URL`,
      default: oauth2.authorizeUrl,
      description: `${service.name} OAuth authorize endpoint`,
    },
    [oauthKeys.tokenUrl]: {
      env: `${prefix}_OAUTH_TOKEN_URL`,
      default: oauth2.tokenUrl,
      description: `${service.name} OAuth token endpoint`,
    },
  }
}

export interface OAuthClientSettings {
  clientId: string
  clientSecret: string
  authorizeUrl: string
  tokenUrl: string
  /** The variables to set when the client id or secret is missing. */
  clientIdEnv: string
  clientSecretEnv: string
}

/** The OAuth client settings of a service with an OAuth block, from its resolved settings. */
export function oauthClientSettings(
  service: ServiceDefinition,
  settings: Readonly<Record<string, string>>,
): OAuthClientSettings | undefined {
  const declared = oauthSettings(service)
  const oauth2 = declaredCredentials(service)?.oauth2
  if (!oauth2) return undefined
  return {
    clientId: settings[oauthKeys.clientId] ?? '',
    clientSecret: settings[oauthKeys.clientSecret] ?? '',
    authorizeUrl: settings[oauthKeys.authorizeUrl] || oauth2.authorizeUrl,
    tokenUrl: settings[oauthKeys.tokenUrl] || oauth2.tokenUrl,
    clientIdEnv: declared[oauthKeys.clientId]?.env ?? '',
    clientSecretEnv: declared[oauthKeys.clientSecret]?.env ?? '',
  }
}
