import { Args, Flags } from '@oclif/core'
import type { ApiClient } from '../../lib/api-client.js'
import { ApiCommand } from '../../lib/api-command.js'
import { CliError } from '../../lib/cli-error.js'
import {
  type Authorization,
  type ConnectionInfo,
  credentialsFromFields,
  credentialsFromStdin,
  declaredCredentials,
  fingerprint,
  kindFields,
  listConnections,
  openBrowser,
  promptCredentials,
  waitForConnection,
} from '../../lib/connections-api.js'
import { ExitCode } from '../../lib/exit-codes.js'
import { helpText } from '../../lib/help-text.js'
import { readStdin } from '../../lib/stdin.js'
import { isInteractive } from '../../lib/tty.js'

export default class ConnectionsAdd extends ApiCommand<typeof ConnectionsAdd, ConnectionInfo> {
  static override summary =
    'Connect a service: the credentials it declares from stdin or prompts, or OAuth in the browser.'
  static override description = helpText(
    [
      'The credentials are sent to the server, stored encrypted, and never shown again.',
      '`area services describe <service>` lists the fields a service takes. With --token-stdin, a',
      'service taking one field (a token) reads it from the first line of stdin, one taking several',
      '(an SMTP server) reads them as a JSON object, or its one secret on the first line with the',
      'other fields given as --field name=value; on a terminal without --token-stdin, each field not',
      'given is asked for, secrets without echo. --kind picks one of the kinds a service takes.',
    ],
    [
      'With --web the server must have an OAuth app for the service (e.g. AREA_GITHUB_CLIENT_ID and',
      'AREA_GITHUB_CLIENT_SECRET); running it again with the same --name reconnects. For http,',
      '--kind oauth2_code --web first stores your own OAuth app (any provider), then authorizes it.',
    ],
  )
  static override examples = [
    {
      description: 'A GitHub personal token, from an environment variable.',
      command: 'printenv GITHUB_TOKEN | <%= config.bin %> <%= command.id %> github --token-stdin',
    },
    {
      description: 'GitHub through OAuth: opens the browser (or prints the URL) and waits.',
      command: '<%= config.bin %> <%= command.id %> github --name github-work --web',
    },
    {
      description: 'An SMTP server for the email service, as JSON.',
      command:
        'echo \'{"host":"smtp.example.com","port":587,"user":"me","password":"…"}\' | <%= config.bin %> <%= command.id %> email --token-stdin',
    },
    {
      description: 'The same, asked field by field on a terminal.',
      command: '<%= config.bin %> <%= command.id %> email --name smtp-work',
    },
    {
      description: 'An API key for http requests to one base URL; the key from stdin.',
      command:
        'printenv API_KEY | <%= config.bin %> <%= command.id %> http --name acme-api --kind api_key --field baseUrl=https://api.acme.test/ --field header=X-Api-Key --token-stdin',
    },
    {
      description:
        'OAuth 2 with your own app at any provider: stores the app, then opens the browser (run again with --web alone to reconnect).',
      command:
        'printenv CLIENT_SECRET | <%= config.bin %> <%= command.id %> http --name acme --kind oauth2_code --field baseUrl=https://api.acme.test/ --field authorizeUrl=https://acme.test/oauth/authorize --field tokenUrl=https://acme.test/oauth/token --field clientId=my-app --field scopes=read --token-stdin --web',
    },
    {
      description: 'A Discord webhook URL as a connection (AREAs then omit webhook_url).',
      command:
        'printenv DISCORD_WEBHOOK_URL | <%= config.bin %> <%= command.id %> discord --name team-chat --token-stdin',
    },
  ]

  static override args = {
    service: Args.string({ description: 'The service (see `area services list`).', required: true }),
  }
  static override flags = {
    name: Flags.string({
      summary: 'Connection name, used by AREAs as `connection:` (default: the service id).',
      helpValue: '<name>',
    }),
    'token-stdin': Flags.boolean({
      summary: 'Read the credentials from stdin: a token on the first line, or a JSON object.',
      default: false,
    }),
    kind: Flags.string({
      summary:
        'The kind of connection, for a service that takes several (http: bearer, basic, api_key, oauth2_client, oauth2_code).',
      helpValue: '<kind>',
    }),
    field: Flags.string({
      summary: 'A non-secret field as name=value (e.g. baseUrl=https://api.example.com/); repeatable.',
      multiple: true,
      helpValue: '<name=value>',
    }),
    web: Flags.boolean({
      summary: 'Connect through OAuth 2 in a browser.',
      default: false,
    }),
    timeout: Flags.integer({
      summary: 'With --web: seconds to wait for the browser to finish.',
      default: 300,
      min: 1,
      helpValue: '<seconds>',
    }),
  }

  async run(): Promise<ConnectionInfo> {
    const { service } = this.args
    const byStdin = this.flags['token-stdin']
    if (!byStdin && !this.flags.web && !isInteractive()) {
      throw new CliError(
        `say how to connect ${service}: --token-stdin (pipe the secret in) or --web (OAuth)`,
        { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
      )
    }
    if (this.flags.web && !this.flags.kind && (byStdin || this.flags.field?.length)) {
      throw new CliError(
        '--web alone authorizes in a browser; --token-stdin and --field go with --kind (e.g. --kind oauth2_code --web, which stores your OAuth app first)',
        { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
      )
    }
    if (this.flags.web && this.flags.kind && !byStdin && !isInteractive()) {
      throw new CliError(
        `pipe the ${this.flags.kind} connection's secret in with --token-stdin (no terminal to ask on)`,
        { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
      )
    }
    const client = await this.client()
    if (this.flags.web && !this.flags.kind) return this.connectInBrowser(client, service)
    const declared = kindFields(service, await declaredCredentials(client, service), this.flags.kind)
    const given = credentialsFromFields(declared, this.flags.field ?? [])
    const credentials = byStdin
      ? credentialsFromStdin(service, declared, await readStdin(), given)
      : await promptCredentials(declared, given)
    const added = await client.post<ConnectionInfo>('/v1/connections', {
      service,
      kind: declared.kind,
      credentials,
      ...(this.flags.name ? { name: this.flags.name } : {}),
    })
    // --kind oauth2_code --web: the connection holds the OAuth app; now grant access with it.
    return this.flags.web ? this.connectInBrowser(client, service, added.name) : added
  }

  protected override render(connection: ConnectionInfo): string {
    return `${this.colors.green('+')} connected ${connection.service} as "${connection.name}"`
  }

  private async connectInBrowser(
    client: ApiClient,
    service: string,
    connection = this.flags.name,
  ): Promise<ConnectionInfo> {
    const query = connection ? `?name=${encodeURIComponent(connection)}` : ''
    const { authorizeUrl, name } = await client.get<Authorization>(
      `/v1/connections/${encodeURIComponent(service)}/authorize${query}`,
    )
    const before = fingerprint((await listConnections(client)).find((c) => c.name === name))
    if (isInteractive()) {
      this.note(`Opening your browser to connect ${service}. If it does not open, visit:\n  ${authorizeUrl}`)
      openBrowser(authorizeUrl)
    } else {
      // Stdout stays for the result (--json); the URL is for a person.
      process.stderr.write(`Open this URL in a browser to connect ${service}:\n  ${authorizeUrl}\n`)
    }
    this.note('Waiting for the authorization to finish…')
    return waitForConnection(client, name, before, { timeoutMs: this.flags.timeout * 1000, intervalMs: 1000 })
  }
}
