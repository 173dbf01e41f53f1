import { Flags } from '@oclif/core'
import { ApiClient } from '../lib/api-client.js'
import { ApiCommand } from '../lib/api-command.js'
import type { Me, Session } from '../lib/api-types.js'
import { CliError } from '../lib/cli-error.js'
import { updateConfig } from '../lib/config.js'
import { readCredentials } from '../lib/credentials.js'
import { ExitCode } from '../lib/exit-codes.js'
import { readSecretLine } from '../lib/stdin.js'

/** The `--json` document; the token is saved, never printed. */
export interface LoginOutput {
  apiUrl: string
  user: Session['user']
  tokenName: string
  configFile: string
}

export default class Login extends ApiCommand<typeof Login> {
  static override summary = 'Log in to an area server and save the token for later commands.'
  static override description =
    'With an e-mail and password, the server issues a new API token; with --with-token, an existing token (from `area tokens create`) is read from stdin and checked. Either way the token is saved (mode 0600) in the config directory ($AREA_CONFIG_DIR, default ~/.config/area/) with the server URL. On a terminal it asks for what is missing; elsewhere pass --email and --password-stdin, or --with-token. In CI, AREA_TOKEN alone is enough: no login needed.'

  static override examples = [
    { description: 'Asks for the e-mail and password.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'In a script: the password on stdin.',
      command:
        'printenv AREA_PASSWORD | <%= config.bin %> <%= command.id %> --email me@example.com --password-stdin',
    },
    {
      description: 'With an API token made by `area tokens create`.',
      command:
        'printenv AREA_CI_TOKEN | <%= config.bin %> <%= command.id %> --with-token --api-url https://area.example.com',
    },
  ]

  static override flags = {
    email: Flags.string({ summary: 'E-mail address of the account.', exclusive: ['with-token'] }),
    'password-stdin': Flags.boolean({
      summary: 'Read the password from stdin (first line).',
      default: false,
      exclusive: ['with-token'],
    }),
    'with-token': Flags.boolean({
      summary: 'Read an API token from stdin instead of an e-mail and password.',
      default: false,
    }),
  }

  async run(): Promise<void> {
    const anonymous = await this.client({ auth: false })
    let token: string
    let user: Session['user']
    let tokenName: string
    if (this.flags['with-token']) {
      token = await readSecretLine('--with-token')
      const me = await new ApiClient(anonymous.baseUrl, token).get<Me>('/v1/me').catch((error: unknown) => {
        if (error instanceof CliError && error.exitCode === ExitCode.unauthenticated) {
          throw new CliError(
            `the token on stdin is not valid on ${anonymous.baseUrl} (revoked, expired or mistyped)`,
            {
              exitCode: ExitCode.unauthenticated,
              code: 'unauthenticated',
            },
          )
        }
        throw error
      })
      user = me.user
      tokenName = me.currentToken.name
    } else {
      const credentials = await readCredentials(this.flags, 'login')
      const session = await anonymous.post<Session>('/v1/auth/login', credentials)
      ;({ token, user, tokenName } = session)
    }
    const configFile = await updateConfig({ apiUrl: anonymous.baseUrl, token, email: user.email })
    const output: LoginOutput = { apiUrl: anonymous.baseUrl, user, tokenName, configFile }
    this.print(
      output,
      () =>
        `${this.colors.green('✓')} Logged in as ${user.email} on ${anonymous.baseUrl} (token ${tokenName}).`,
    )
  }
}
