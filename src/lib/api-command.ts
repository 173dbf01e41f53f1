/**
 * The base of every command that talks to the API: adds `--api-url` and `--token` (flag > env >
 * config file) and hands out a client. A command that needs a token and has none fails with
 * exit 4 before sending anything, naming `area login` and AREA_TOKEN.
 */
import { type Command, Flags } from '@oclif/core'
import { ApiClient } from './api-client.js'
import { BaseCommand, CliError } from './base-command.js'
import { type Connection, resolveConnection } from './config.js'
import { ExitCode } from './exit-codes.js'

export abstract class ApiCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    'api-url': Flags.string({
      summary:
        'URL of the area API (default: AREA_API_URL, then the config file, then http://127.0.0.1:8080).',
      helpGroup: 'GLOBAL',
      helpValue: '<url>',
    }),
    token: Flags.string({
      summary: 'API token (default: AREA_TOKEN, then the token saved by `area login`).',
      helpGroup: 'GLOBAL',
      helpValue: '<token>',
    }),
  }

  private connectionCache: Connection | undefined

  protected get connectionFlags(): { apiUrl?: string; token?: string } {
    const flags = this.flags as unknown as { 'api-url'?: string; token?: string }
    return { apiUrl: flags['api-url'], token: flags.token }
  }

  protected async connection(): Promise<Connection> {
    this.connectionCache ??= await resolveConnection(this.connectionFlags)
    return this.connectionCache
  }

  /** A client; with `auth` (the default) a token is required. */
  protected async client(options: { auth?: boolean } = {}): Promise<ApiClient> {
    const connection = await this.connection()
    if (options.auth !== false && !connection.token) {
      throw new CliError(
        `not logged in to ${connection.apiUrl.value}: run \`area login\` (or \`area signup\`), or set AREA_TOKEN to a token from \`area tokens create\``,
        { exitCode: ExitCode.unauthenticated, code: 'unauthenticated' },
      )
    }
    return new ApiClient(
      connection.apiUrl.value,
      options.auth === false ? undefined : connection.token?.value,
    )
  }
}
