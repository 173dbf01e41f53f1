/**
 * The base of every command that talks to the API: adds `--api-url`, `--token` (flag > env >
 * config file) and `--context` (which context of the config file), and hands out a client. A
 * command that needs a token and has none fails with exit 4 before sending anything, naming `area login` and AREA_TOKEN. A Supabase session saved by
 * `area login --supabase` is renewed here when its access token is about to expire.
 */
import { type Command, Flags } from '@oclif/core'
import { ApiClient } from './api-client.js'
import { BaseCommand, CliError } from './base-command.js'
import { type Connection, contextNamePattern, readConfig, resolveConnection, updateConfig } from './config.js'
import { ExitCode } from './exit-codes.js'
import { refreshSupabaseSession } from './supabase-session.js'

/** A saved Supabase access token is renewed when it has less than this left. */
const renewMarginMs = 60_000

export abstract class ApiCommand<T extends typeof Command, R = void> extends BaseCommand<T, R> {
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
    context: Flags.string({
      summary: 'Named context of the config file to use (default: AREA_CONTEXT, then `area context use`).',
      helpGroup: 'GLOBAL',
      helpValue: '<name>',
    }),
  }

  /** Set when a new context may be made by this command (`login`, `signup` with a URL). */
  protected static createsContext = false

  public override async init(): Promise<void> {
    await super.init()
    const { context } = this.flags as unknown as { context?: string }
    if (context !== undefined) {
      if (!contextNamePattern.test(context)) {
        throw new CliError(
          `--context "${context}" is not a context name: letters, digits, dots, dashes and underscores`,
          { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
        )
      }
      // The flag is AREA_CONTEXT for this process: every reader of the config file (this
      // class, login, logout, dev's account) then sees the same context.
      process.env.AREA_CONTEXT = context
    }
  }

  private connectionCache: Connection | undefined

  protected get connectionFlags(): { apiUrl?: string; token?: string } {
    const flags = this.flags as unknown as { 'api-url'?: string; token?: string }
    return { apiUrl: flags['api-url'], token: flags.token }
  }

  protected async connection(): Promise<Connection> {
    const newContext = (this.constructor as typeof ApiCommand).createsContext
    this.connectionCache ??= await resolveConnection(this.connectionFlags, process.env, { newContext })
    return this.connectionCache
  }

  /** A client; with `auth` (the default) a token is required. */
  protected async client(options: { auth?: boolean } = {}): Promise<ApiClient> {
    let connection = await this.connection()
    if (options.auth !== false && !connection.token) {
      throw new CliError(
        `not logged in to ${connection.apiUrl.value}: run \`area login\` (or \`area signup\`), or set AREA_TOKEN to a token from \`area tokens create\``,
        { exitCode: ExitCode.unauthenticated, code: 'unauthenticated' },
      )
    }
    if (options.auth !== false && connection.token?.source === 'config') {
      connection = await this.renewSupabaseSession(connection)
    }
    return new ApiClient(
      connection.apiUrl.value,
      options.auth === false ? undefined : connection.token?.value,
    )
  }

  /**
   * Only the token saved with a Supabase session, and only near its expiry. When renewing fails
   * while the token still has a few seconds, the command goes on with it.
   */
  private async renewSupabaseSession(connection: Connection): Promise<Connection> {
    const stored = await readConfig()
    const session = stored.supabase
    if (!session || !connection.token || stored.token !== connection.token.value) return connection
    const expiresAtMs = session.expiresAt * 1000
    if (expiresAtMs - Date.now() > renewMarginMs) return connection
    try {
      const renewed = await refreshSupabaseSession(session)
      await updateConfig({ token: renewed.accessToken, supabase: renewed.session })
      this.connectionCache = { ...connection, token: { value: renewed.accessToken, source: 'config' } }
      return this.connectionCache
    } catch (error) {
      if (expiresAtMs - Date.now() < 5_000) throw error
      this.note(
        `Could not renew the Supabase session: ${error instanceof Error ? error.message : String(error)}`,
      )
      return connection
    }
  }
}
