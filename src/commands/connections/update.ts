import { Args, Flags } from '@oclif/core'
import { ApiCommand } from '../../lib/api-command.js'
import { CliError } from '../../lib/cli-error.js'
import {
  type ConnectionInfo,
  credentialsFromFields,
  credentialsFromStdin,
  declaredCredentials,
  kindFields,
  listConnections,
  promptCredentials,
} from '../../lib/connections-api.js'
import { ExitCode } from '../../lib/exit-codes.js'
import { helpText } from '../../lib/help-text.js'
import { readStdin } from '../../lib/stdin.js'
import { isInteractive } from '../../lib/tty.js'

export default class ConnectionsUpdate extends ApiCommand<typeof ConnectionsUpdate, ConnectionInfo> {
  static override summary = "Replace a connection's credentials in place, while AREAs use it."
  static override description = helpText([
    'The connection keeps its name, so the AREAs that use it keep working and use the new',
    'credentials from their next run; the old ones are overwritten. The credentials are read as',
    'for `area connections add`: from stdin with --token-stdin (a token on the first line, or a JSON',
    'object, or the secret with the other fields as --field), or asked field by field on a terminal. An OAuth connection is reconnected with',
    '`area connections add <service> --name <name> --web` instead.',
  ])
  static override examples = [
    {
      description: 'Rotate a GitHub token.',
      command: 'printenv GITHUB_TOKEN | <%= config.bin %> <%= command.id %> github --token-stdin',
    },
    {
      description: 'New SMTP settings, asked field by field on a terminal.',
      command: '<%= config.bin %> <%= command.id %> smtp-work',
    },
  ]

  static override args = {
    name: Args.string({ description: 'The connection name (see `area connections list`).', required: true }),
  }
  static override flags = {
    'token-stdin': Flags.boolean({
      summary: 'Read the credentials from stdin: a token on the first line, or a JSON object.',
      default: false,
    }),
    field: Flags.string({
      summary: 'A non-secret field as name=value (e.g. baseUrl=https://api.example.com/); repeatable.',
      multiple: true,
      helpValue: '<name=value>',
    }),
  }

  async run(): Promise<ConnectionInfo> {
    const { name } = this.args
    const byStdin = this.flags['token-stdin']
    if (!byStdin && !isInteractive()) {
      throw new CliError(
        `say where the new credentials of "${name}" come from: pipe them in with --token-stdin (no terminal to ask on)`,
        { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
      )
    }
    const client = await this.client()
    const connection = (await listConnections(client)).find((c) => c.name === name)
    if (!connection) {
      throw new CliError(`you have no connection named "${name}" (see \`area connections list\`)`, {
        code: 'connection_not_found',
      })
    }
    if (connection.kind === 'oauth2') {
      throw new CliError(
        `"${name}" is an OAuth connection: reconnect it in a browser with \`area connections add ${connection.service} --name ${name} --web\``,
        { exitCode: ExitCode.invalid, code: 'oauth_connection' },
      )
    }
    // The connection keeps its kind (an http connection stays api_key when its key is rotated).
    const declared = kindFields(
      connection.service,
      await declaredCredentials(client, connection.service),
      connection.kind,
    )
    const given = credentialsFromFields(declared, this.flags.field ?? [])
    const credentials = byStdin
      ? credentialsFromStdin(connection.service, declared, await readStdin(), given)
      : await promptCredentials(declared, given)
    return client.put<ConnectionInfo>(`/v1/connections/${encodeURIComponent(name)}`, {
      kind: declared.kind,
      credentials,
    })
  }

  protected override render(connection: ConnectionInfo): string {
    return `${this.colors.green('~')} updated the credentials of "${connection.name}" (${connection.service}); AREAs using it get them on their next run`
  }
}
