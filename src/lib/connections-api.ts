/**
 * What the connection commands send and read: the API's own schemas for types, the credentials a
 * service declares (from its catalog entry) read from stdin or asked field by field, the browser
 * opener and the wait for an OAuth connection to appear.
 */
import { spawn } from 'node:child_process'
import type { Static } from '@sinclair/typebox'
import type { AuthorizeAnswer, ConnectionSchema } from '../contract/connections.js'
import type { ApiClient } from './api-client.js'
import type { Page, ServiceDetails } from './api-types.js'
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

export type ConnectionInfo = Static<typeof ConnectionSchema>
export type Authorization = Static<typeof AuthorizeAnswer>
export type DeclaredCredentials = NonNullable<ServiceDetails['credentials']>
type CredentialField = DeclaredCredentials['fields'][number]

export async function listConnections(client: ApiClient): Promise<ConnectionInfo[]> {
  return (await client.get<Page<ConnectionInfo>>('/v1/connections')).items
}

/** The credentials the service declares; fails for a service that needs no connection. */
export async function declaredCredentials(client: ApiClient, service: string): Promise<DeclaredCredentials> {
  const details = await client.get<ServiceDetails>(`/v1/services/${encodeURIComponent(service)}`)
  if (!details.credentials) {
    throw new CliError(
      `service "${service}" needs no connection: its actions and reactions take what they need as params`,
      { exitCode: ExitCode.invalid, code: 'no_connection_needed' },
    )
  }
  return details.credentials
}

/** One kind of connection the service takes: its name and fields. */
export type KindFields = Pick<DeclaredCredentials, 'kind' | 'fields'>

/** The declared kind named by `--kind` (default: the service's first), or an error listing them. */
export function kindFields(
  service: string,
  declared: DeclaredCredentials,
  kind: string | undefined,
): KindFields {
  const kinds: KindFields[] = [declared, ...(declared.alternatives ?? [])]
  const found = kind === undefined ? declared : kinds.find((k) => k.kind === kind)
  if (!found) {
    throw new CliError(
      `service "${service}" has no connection kind "${kind}": use --kind ${kinds.map((k) => k.kind).join(', ')} (see \`area services describe ${service}\`)`,
      { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
    )
  }
  return found
}

/** `--field name=value` flags, typed by the declared field; unknown names are refused. */
export function credentialsFromFields(
  declared: KindFields,
  flags: readonly string[],
): Record<string, unknown> {
  const given: Record<string, unknown> = {}
  for (const flag of flags) {
    const at = flag.indexOf('=')
    const name = at > 0 ? flag.slice(0, at) : ''
    const field = declared.fields.find((f) => f.name === name)
    if (!field) {
      const names = declared.fields.map((f) => f.name).join(', ')
      throw new CliError(`--field takes name=value with a field of kind ${declared.kind}: ${names}`, {
        exitCode: ExitCode.invalid,
        code: 'invalid_arguments',
      })
    }
    if (field.secret) {
      // A secret in a flag ends up in shell history and process listings.
      throw new CliError(`${name} is a secret: pipe it in with --token-stdin instead of --field`, {
        exitCode: ExitCode.invalid,
        code: 'invalid_arguments',
      })
    }
    given[name] = typed(field, flag.slice(at + 1).trim())
  }
  return given
}

/**
 * `--token-stdin`: with one declared field (a token), the first line of stdin is that field;
 * a JSON object gives several (an SMTP server); with `--field` (`given`), the first line is the
 * kind's one secret field.
 */
export function credentialsFromStdin(
  service: string,
  declared: KindFields,
  stdin: string,
  given: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const [only, ...others] = declared.fields
  const firstLine = () => stdin.split(/\r?\n/, 1)[0]?.trim() ?? ''
  if (only && others.length === 0) {
    return { [only.name]: firstLine() }
  }
  const secrets = declared.fields.filter((f) => f.secret)
  const [secret] = secrets
  // With --field, stdin is the one secret (JSON on stdin stays possible for everything at once).
  if (Object.keys(given).length > 0 && !stdin.trimStart().startsWith('{') && secret && secrets.length === 1) {
    return { ...given, [secret.name]: firstLine() }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(stdin)
  } catch {
    parsed = undefined
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const names = declared.fields.map((f) => `"${f.name}"`).join(', ')
    const others = declared.fields.filter((f) => f !== secret).map((f) => `--field ${f.name}=…`)
    const orLine = secret && secrets.length === 1 ? `, or ${secret.name} alone with ${others.join(' ')}` : ''
    throw new CliError(`an ${service} connection reads a JSON object from stdin: {${names}}${orLine}`, {
      exitCode: ExitCode.invalid,
      code: 'invalid_credentials',
    })
  }
  return { ...given, ...(parsed as Record<string, unknown>) }
}

/**
 * On a terminal: one prompt per declared field not given by `--field`, on stderr. Secret fields
 * are typed without echo, booleans are a yes/no question, numbers are sent as numbers; an
 * optional field left empty is not sent.
 */
export async function promptCredentials(
  declared: KindFields,
  given: Readonly<Record<string, unknown>> = {},
): Promise<Record<string, unknown>> {
  const prompts = await import('@inquirer/prompts')
  const output = { output: process.stderr }
  const credentials: Record<string, unknown> = { ...given }
  for (const field of declared.fields) {
    if (field.name in given) continue
    const label = field.description || field.name
    if (field.type === 'boolean') {
      credentials[field.name] = await prompts.confirm(
        { message: `${label}?`, default: field.default === true },
        output,
      )
      continue
    }
    const message = `${label}${field.required ? '' : ' (optional)'}:`
    const required = (value: string) => !field.required || value.trim() !== '' || 'required'
    const answer = field.secret
      ? await prompts.password({ message, mask: true, validate: required }, output)
      : await prompts.input(
          {
            message,
            validate: required,
            ...(field.default === undefined ? {} : { default: String(field.default) }),
          },
          output,
        )
    if (answer.trim() !== '') credentials[field.name] = typed(field, answer.trim())
  }
  return credentials
}

function typed(field: CredentialField, answer: string): unknown {
  if (field.type === 'boolean') return answer === 'true' || answer === 'yes'
  const isNumber = field.type === 'integer' || field.type === 'number'
  return isNumber && Number.isFinite(Number(answer)) ? Number(answer) : answer
}

/** Best effort: a missing opener just leaves the printed URL. */
export function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]]
  try {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true })
    child.on('error', () => {})
    child.unref()
  } catch {
    // The URL is printed anyway.
  }
}

/** What changes when the callback stores tokens: a new row, or a reconnected one. */
export function fingerprint(connection: ConnectionInfo | undefined): string {
  if (!connection) return ''
  return JSON.stringify([connection.createdAt, connection.status, connection.tokenExpiresAt, connection.kind])
}

export async function waitForConnection(
  client: ApiClient,
  name: string,
  before: string,
  options: { timeoutMs: number; intervalMs: number },
): Promise<ConnectionInfo> {
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    const found = (await listConnections(client)).find((c) => c.name === name)
    if (found && found.status === 'active' && fingerprint(found) !== before) return found
    if (Date.now() >= deadline) {
      throw new CliError(
        `no connection "${name}" after ${Math.round(options.timeoutMs / 1000)} s: finish the authorization in the browser, then run the command again (or raise --timeout)`,
        { exitCode: ExitCode.error, code: 'oauth_timeout' },
      )
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs))
  }
}
