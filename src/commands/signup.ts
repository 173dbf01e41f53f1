import { Flags } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import type { Session } from '../lib/api-types.js'
import { updateConfig } from '../lib/config.js'
import { readCredentials } from '../lib/credentials.js'

/** The `--json` document; the token is saved, never printed. */
export interface SignupOutput {
  apiUrl: string
  user: Session['user']
  tokenName: string
  configFile: string
}

export default class Signup extends ApiCommand<typeof Signup> {
  static override summary = 'Create an account on an area server and log in.'
  static override description =
    'Creates the account and its first API token, and saves the token (mode 0600) in the config directory ($AREA_CONFIG_DIR, default ~/.config/area/) with the server URL, so later commands use them. On a terminal it asks for the e-mail and password; elsewhere pass --email and --password-stdin.'

  static override examples = [
    { description: 'Asks for the e-mail and password.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'In a script: the password on stdin, never on the command line.',
      command:
        'printenv AREA_PASSWORD | <%= config.bin %> <%= command.id %> --email me@example.com --password-stdin',
    },
    {
      description: 'On another server.',
      command: '<%= config.bin %> <%= command.id %> --api-url https://area.example.com',
    },
  ]

  static override flags = {
    email: Flags.string({ summary: 'E-mail address of the account.' }),
    'password-stdin': Flags.boolean({
      summary: 'Read the password from stdin (first line).',
      default: false,
    }),
    'display-name': Flags.string({ summary: 'Name shown for the account.' }),
  }

  async run(): Promise<void> {
    const { email, password } = await readCredentials(this.flags, 'signup')
    const client = await this.client({ auth: false })
    const session = await client.post<Session>('/v1/auth/signup', {
      email,
      password,
      ...(this.flags['display-name'] ? { displayName: this.flags['display-name'] } : {}),
    })
    const configFile = await updateConfig({
      apiUrl: client.baseUrl,
      token: session.token,
      email: session.user.email,
    })
    const output: SignupOutput = {
      apiUrl: client.baseUrl,
      user: session.user,
      tokenName: session.tokenName,
      configFile,
    }
    this.print(
      output,
      () =>
        `${this.colors.green('✓')} Signed up as ${session.user.email} on ${client.baseUrl}; token saved in ${configFile}.`,
    )
  }
}
