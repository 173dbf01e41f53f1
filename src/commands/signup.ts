import { Flags } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import type { Session } from '../lib/api-types.js'
import { updateConfig } from '../lib/config.js'
import { helpText } from '../lib/help-text.js'
import { loginInputFlags, readLoginInput, type SavedLogin } from '../lib/login-input.js'

/** The `--json` document; the token is saved, never printed. */
export type SignupOutput = SavedLogin

export default class Signup extends ApiCommand<typeof Signup, SignupOutput> {
  static override summary = 'Create an account on an area server and log in.'
  static override description = helpText([
    'Creates the account and its first API token, and saves the token (mode 0600) in the config',
    'directory ($AREA_CONFIG_DIR, default ~/.config/area/) with the server URL, so later commands',
    'use them. On a terminal it asks for the e-mail and password; elsewhere pass --email and',
    '--password-stdin.',
  ])

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

  protected static override createsContext = true

  static override flags = {
    ...loginInputFlags(),
    'display-name': Flags.string({ summary: 'Name shown for the account.' }),
  }

  async run(): Promise<SignupOutput> {
    const { email, password } = await readLoginInput(this.flags, 'signup')
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
    return { apiUrl: client.baseUrl, user: session.user, tokenName: session.tokenName, configFile }
  }

  protected override render(output: SignupOutput): string {
    return `${this.colors.green('✓')} Signed up as ${output.user.email} on ${output.apiUrl}; token saved in ${output.configFile}.`
  }
}
