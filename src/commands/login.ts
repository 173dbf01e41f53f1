import { Flags } from '@oclif/core'
import { ApiClient, ApiError } from '../lib/api-client.js'
import { ApiCommand } from '../lib/api-command.js'
import type { Me, Session } from '../lib/api-types.js'
import { CliError } from '../lib/cli-error.js'
import { type StoredSupabaseSession, updateConfig } from '../lib/config.js'
import { readCredentials } from '../lib/credentials.js'
import { ExitCode } from '../lib/exit-codes.js'
import { readSecretLine } from '../lib/stdin.js'
import { signInWithSupabase, supabaseTarget } from '../lib/supabase-session.js'

/** The `--json` document; the token is saved, never printed. */
export interface LoginOutput {
  apiUrl: string
  user: Session['user']
  /** The API token's name, or `supabase-session` with --supabase. */
  tokenName: string
  /** How: an area password, an API token on stdin, or a Supabase Auth account. */
  via: 'password' | 'token' | 'supabase'
  /** With --supabase: when the access token expires (it is renewed before, see the README). */
  expiresAt: string | null
  configFile: string
}

export default class Login extends ApiCommand<typeof Login> {
  static override summary = 'Log in to an area server and save the token for later commands.'
  static override description =
    'With an e-mail and password, the server issues a new API token; with --with-token, an existing token (from `area tokens create`) is read from stdin and checked; with --supabase, the e-mail and password are those of a Supabase Auth account (the server must have SUPABASE_URL and SUPABASE_ANON_KEY of the same project): the Supabase access token is checked with the server and saved with its refresh token, and later commands renew it before it expires. Either way the token is saved (mode 0600) in the config directory ($AREA_CONFIG_DIR, default ~/.config/area/) with the server URL. On a terminal it asks for what is missing; elsewhere pass --email and --password-stdin, or --with-token. In CI, AREA_TOKEN alone is enough: no login needed.'

  static override examples = [
    { description: 'Asks for the e-mail and password.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'In a script: the password on stdin.',
      command:
        'printenv AREA_PASSWORD | <%= config.bin %> <%= command.id %> --email me@example.com --password-stdin',
    },
    {
      description: 'With a Supabase Auth account of the project the server trusts.',
      command:
        'printenv SUPABASE_PASSWORD | <%= config.bin %> <%= command.id %> --supabase --supabase-url https://abcd.supabase.co --supabase-anon-key "$SUPABASE_ANON_KEY" --email me@example.com --password-stdin',
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
    supabase: Flags.boolean({
      summary: 'Sign in with a Supabase Auth account (e-mail and password) instead of an area account.',
      default: false,
      exclusive: ['with-token'],
    }),
    'supabase-url': Flags.string({
      summary: "With --supabase: the Supabase project's URL.",
      env: 'SUPABASE_URL',
      helpValue: '<url>',
    }),
    'supabase-anon-key': Flags.string({
      summary: "With --supabase: the project's anon public key.",
      env: 'SUPABASE_ANON_KEY',
      helpValue: '<key>',
    }),
  }

  async run(): Promise<void> {
    const anonymous = await this.client({ auth: false })
    let token: string
    let user: Session['user']
    let tokenName: string
    let supabase: StoredSupabaseSession | undefined
    let via: LoginOutput['via'] = 'password'
    if (this.flags.supabase) {
      const target = supabaseTarget({
        url: this.flags['supabase-url'],
        anonKey: this.flags['supabase-anon-key'],
      })
      const credentials = await readCredentials(this.flags, 'login', '--supabase')
      const signedIn = await signInWithSupabase(target, credentials)
      const me = await new ApiClient(anonymous.baseUrl, signedIn.accessToken)
        .get<Me>('/v1/me')
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 401) {
            throw new CliError(
              `${anonymous.baseUrl} does not accept this Supabase session (it answered: ${error.detail}); the area server needs SUPABASE_URL=${target.url} and that project's SUPABASE_ANON_KEY`,
              { exitCode: ExitCode.unauthenticated, code: 'unauthenticated' },
            )
          }
          throw error
        })
      token = signedIn.accessToken
      supabase = signedIn.session
      user = me.user
      tokenName = me.currentToken.name
      via = 'supabase'
    } else if (this.flags['with-token']) {
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
      via = 'token'
    } else {
      const credentials = await readCredentials(this.flags, 'login')
      const session = await anonymous.post<Session>('/v1/auth/login', credentials)
      ;({ token, user, tokenName } = session)
    }
    const configFile = await updateConfig({
      apiUrl: anonymous.baseUrl,
      token,
      email: user.email,
      ...(supabase ? { supabase } : {}),
    })
    const expiresAt = supabase ? new Date(supabase.expiresAt * 1000).toISOString() : null
    const output: LoginOutput = { apiUrl: anonymous.baseUrl, user, tokenName, via, expiresAt, configFile }
    this.print(output, () =>
      supabase
        ? `${this.colors.green('✓')} Logged in as ${user.email} on ${anonymous.baseUrl} with Supabase Auth (the session is renewed as commands run; for CI use \`area tokens create\`).`
        : `${this.colors.green('✓')} Logged in as ${user.email} on ${anonymous.baseUrl} (token ${tokenName}).`,
    )
  }
}
