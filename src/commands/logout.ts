import { ApiClient } from '../lib/api-client.js'
import { ApiCommand } from '../lib/api-command.js'
import { CliError } from '../lib/cli-error.js'
import { readConfig, removeToken } from '../lib/config.js'
import { helpText } from '../lib/help-text.js'

export interface LogoutOutput {
  /** The server revoked the saved token. */
  revoked: boolean
  /** The token was removed from the config file. */
  removed: boolean
}

export default class Logout extends ApiCommand<typeof Logout, LogoutOutput> {
  static override summary = 'Revoke the saved token and remove it from the config file.'
  static override description = helpText([
    'Only the token saved by `area login` or `area signup` is revoked; a token given with --token or',
    'AREA_TOKEN is left alone (revoke it with `area tokens revoke <name>`). If the server cannot be',
    'reached the token is still removed locally, and the command says so.',
  ])

  static override examples = [
    { description: 'Log out.', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Log out and report as JSON.', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<LogoutOutput> {
    const saved = await readConfig()
    if (!saved.token) return { revoked: false, removed: false }
    const connection = await this.connection()
    let revoked = false
    try {
      await new ApiClient(saved.apiUrl ?? connection.apiUrl.value, saved.token).post('/v1/auth/logout')
      revoked = true
    } catch (error) {
      // The token may be revoked already, or the server gone: forgetting it locally still helps.
      this.note(
        `Could not revoke the token on the server: ${error instanceof CliError ? error.message : String(error)}`,
      )
    }
    await removeToken()
    return { revoked, removed: true }
  }

  protected override render({ revoked, removed }: LogoutOutput): string {
    if (!removed) return 'Not logged in: no token is saved.'
    return revoked
      ? `${this.colors.green('✓')} Logged out: the token is revoked and forgotten.`
      : 'Logged out locally.'
  }
}
