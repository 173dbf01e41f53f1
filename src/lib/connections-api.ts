/**
 * What the connection commands send and read: the API's own schemas for types, the kind of
 * credentials a service takes (from its catalog entry), the browser opener and the wait for an
 * OAuth connection to appear.
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
export type ManualKind = 'token' | 'webhook_url' | 'smtp'

export async function listConnections(client: ApiClient): Promise<ConnectionInfo[]> {
  return (await client.get<Page<ConnectionInfo>>('/v1/connections')).items
}

/** The kind a `--token-stdin` connection of this service is, and its credentials from stdin. */
export async function manualCredentials(
  client: ApiClient,
  service: string,
  stdin: string,
): Promise<{ kind: ManualKind; credentials: Record<string, unknown> }> {
  const details = await client.get<ServiceDetails>(`/v1/services/${encodeURIComponent(service)}`)
  const firstLine = stdin.split(/\r?\n/, 1)[0]?.trim() ?? ''
  switch (details.authKind) {
    case 'token':
    case 'oauth2':
      return { kind: 'token', credentials: { token: firstLine } }
    case 'webhook_url':
      return { kind: 'webhook_url', credentials: { url: firstLine } }
    case 'smtp': {
      let parsed: unknown
      try {
        parsed = JSON.parse(stdin)
      } catch {
        parsed = undefined
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new CliError(
          `an ${service} connection reads a JSON object from stdin: {"host", "port", "secure", "user", "password", "from"}`,
          { exitCode: ExitCode.invalid, code: 'invalid_credentials' },
        )
      }
      return { kind: 'smtp', credentials: parsed as Record<string, unknown> }
    }
    default:
      throw new CliError(
        `service "${service}" needs no connection: its actions and reactions take what they need as params`,
        { exitCode: ExitCode.invalid, code: 'no_connection_needed' },
      )
  }
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
