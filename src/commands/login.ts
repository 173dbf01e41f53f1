import { Flags } from '@oclif/core'
import { ApiClient, ApiError } from '../lib/api-client.js'
import { ApiCommand } from '../lib/api-command.js'
import type { Me, Session } from '../lib/api-types.js'
import { CliError } from '../lib/cli-error.js'
import {
  readConfigFile,
  type StoredConfig,
  type StoredSupabaseSession,
  selectedContext,
  updateConfig,
} from '../lib/config.js'
import { ExitCode } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { loginInputFlags, readLoginInput, type SavedLogin } from '../lib/login-input.js'
import { type ReplacedToken, revokeReplacedToken } from '../lib/replaced-token.js'
import { readSecretLine } from '../lib/stdin.js'
import { signInWithSupabase, supabaseTarget } from '../lib/supabase-session.js'

/**
 * The `--json` document; the token is saved, never printed. `tokenName` is the API token's name,
 * or `supabase-session` with --supabase.
 */
export interface LoginOutput extends SavedLogin {
  /** How: an area password, an API token on stdin, or a Supabase Auth account. */
  via: 'password' | 'token' | 'supabase'
  /** With --supabase: when the access token expires (it is renewed before, see the README). */
  expiresAt: string | null
  /** The token the context held before: revoked on its server, or not (then a note says why). */
  replacedToken: ReplacedToken
}

/** What one way of logging in yields, to be saved. */
interface SignedIn {
  token: string
  user: Session['user']
  tokenName: string
  via: LoginOutput['via']
  supabase?: StoredSupabaseSession
}

export default class Login extends ApiCommand<typeof Login, LoginOutput> {
  static override summary = 'Log in to an area server and save the token for later commands.'
  static override description = helpText([
    'With an e-mail and password, the server issues a new API token; with --with-token, an existing',
    'token (from `area tokens create`) is read from stdin and checked; with --supabase, the e-mail',
    'and password are those of a Supabase Auth account (the server must have SUPABASE_URL and',
    'SUPABASE_ANON_KEY of the same project): the Supabase access token is checked with the server',
    'and saved with its refresh token, and later commands renew it before it expires. Either way the',
    'token is saved (mode 0600) in the config directory ($AREA_CONFIG_DIR, default ~/.config/area/)',
    'with the server URL. On a terminal it asks for what is missing; elsewhere pass --email and',
    '--password-stdin, or --with-token. In CI, AREA_TOKEN alone is enough: no login needed.',
    'The token saved before in the same context is revoked on its server. With --context and',
    '--api-url, a context that does not exist yet is created.',
  ])

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

  protected static override createsContext = true

  static override flags = {
    ...loginInputFlags(['with-token']),
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

  async run(): Promise<LoginOutput> {
    const anonymous = await this.client({ auth: false })
    const apiUrl = anonymous.baseUrl
    const login = this.flags.supabase
      ? await this.withSupabase(apiUrl)
      : this.flags['with-token']
        ? await this.withToken(apiUrl)
        : await this.withPassword(anonymous)
    const { token, user, tokenName, via, supabase } = login
    const replacedToken = await revokeReplacedToken(await savedLogin(), token, apiUrl, (text) =>
      this.note(text),
    )
    const configFile = await updateConfig({
      apiUrl,
      token,
      email: user.email,
      ...(supabase ? { supabase } : {}),
    })
    const expiresAt = supabase ? new Date(supabase.expiresAt * 1000).toISOString() : null
    return { apiUrl, user, tokenName, via, expiresAt, configFile, replacedToken }
  }

  private async withPassword(anonymous: ApiClient): Promise<SignedIn> {
    const input = await readLoginInput(this.flags, 'login')
    const session = await anonymous.post<Session>('/v1/auth/login', input)
    return { token: session.token, user: session.user, tokenName: session.tokenName, via: 'password' }
  }

  private async withToken(apiUrl: string): Promise<SignedIn> {
    const token = await readSecretLine('--with-token')
    const me = await new ApiClient(apiUrl, token).get<Me>('/v1/me').catch((error: unknown) => {
      if (error instanceof CliError && error.exitCode === ExitCode.unauthenticated) {
        throw new CliError(`the token on stdin is not valid on ${apiUrl} (revoked, expired or mistyped)`, {
          exitCode: ExitCode.unauthenticated,
          code: 'unauthenticated',
        })
      }
      throw error
    })
    return { token, user: me.user, tokenName: me.currentToken.name, via: 'token' }
  }

  private async withSupabase(apiUrl: string): Promise<SignedIn> {
    const target = supabaseTarget({
      url: this.flags['supabase-url'],
      anonKey: this.flags['supabase-anon-key'],
    })
    const input = await readLoginInput(this.flags, 'login', '--supabase')
    const signedIn = await signInWithSupabase(target, input)
    const me = await new ApiClient(apiUrl, signedIn.accessToken).get<Me>('/v1/me').catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) {
        throw new CliError(
          `${apiUrl} does not accept this Supabase session (it answered: ${error.detail}); the area server needs SUPABASE_URL=${target.url} and that project's SUPABASE_ANON_KEY`,
          { exitCode: ExitCode.unauthenticated, code: 'unauthenticated' },
        )
      }
      throw error
    })
    return {
      token: signedIn.accessToken,
      user: me.user,
      tokenName: me.currentToken.name,
      via: 'supabase',
      supabase: signedIn.session,
    }
  }

  protected override render({ apiUrl, user, tokenName, via, replacedToken }: LoginOutput): string {
    const done = `${this.colors.green('✓')} Logged in as ${user.email} on ${apiUrl}${replacedToken === 'revoked' ? ' (the previous token is revoked)' : ''}`
    return via === 'supabase'
      ? `${done} with Supabase Auth (the session is renewed as commands run; for CI use \`area tokens create\`).`
      : `${done} (token ${tokenName}).`
  }
}

/** What the selected context holds, empty for a context this login creates. */
async function savedLogin(): Promise<StoredConfig> {
  const file = await readConfigFile()
  return file.contexts[selectedContext(file)] ?? {}
}
