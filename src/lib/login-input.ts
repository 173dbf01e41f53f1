/**
 * E-mail and password for `area signup` / `area login`: from `--email` and `--password-stdin`,
 * or asked on a terminal. Without a terminal nothing is asked: the error names the flags.
 */
import { Flags } from '@oclif/core'
import type { Session } from './api-types.js'
import { CliError } from './cli-error.js'
import { commandName } from './command-name.js'
import { ExitCode } from './exit-codes.js'
import { readSecretLine } from './stdin.js'
import { isInteractive } from './tty.js'

export interface LoginInput {
  email: string
  password: string
}

/** The `--json` document of a signup or login; the token is saved, never printed. */
export interface SavedLogin {
  apiUrl: string
  user: Session['user']
  tokenName: string
  configFile: string
}

/** `--email` and `--password-stdin`; `exclusive` names the flags that replace them. */
export function loginInputFlags(exclusive: string[] = []) {
  const only = exclusive.length ? { exclusive } : {}
  return {
    email: Flags.string({ summary: 'E-mail address of the account.', ...only }),
    'password-stdin': Flags.boolean({
      summary: 'Read the password from stdin (first line).',
      default: false,
      ...only,
    }),
  }
}

export async function readLoginInput(
  flags: { email?: string; 'password-stdin'?: boolean },
  command: 'signup' | 'login',
  /** Flags of the command line shown as an example, e.g. `--supabase`. */
  exampleFlags = '',
): Promise<LoginInput> {
  const missing = [!flags.email && '--email', !flags['password-stdin'] && '--password-stdin'].filter(Boolean)
  if (missing.length && !isInteractive()) {
    const alternative =
      command === 'login' ? ' (or pipe an API token into `area login --with-token`, or set AREA_TOKEN)' : ''
    const invocation = [`${commandName()} ${command}`, exampleFlags].filter(Boolean).join(' ')
    throw new CliError(
      `area ${command} needs an interactive terminal to ask for the e-mail and password, and this is not one: pass ${missing.join(' and ')}${alternative}, e.g. \`printenv AREA_PASSWORD | ${invocation} --email you@example.com --password-stdin\``,
      { exitCode: ExitCode.invalid, code: 'not_interactive' },
    )
  }
  if (flags['password-stdin'] && !flags.email) {
    throw new CliError('--password-stdin needs --email (stdin holds the password)', {
      exitCode: ExitCode.invalid,
      code: 'missing_email',
    })
  }
  const prompts = missing.length ? await import('@inquirer/prompts') : undefined
  const email =
    flags.email ??
    (await prompts!.input(
      { message: 'E-mail:', validate: (v) => (v.includes('@') ? true : 'an e-mail address, please') },
      { output: process.stderr },
    ))
  const password = flags['password-stdin']
    ? await readSecretLine('--password-stdin')
    : await prompts!.password(
        {
          message: 'Password:',
          mask: true,
          validate: (v) => (command === 'signup' && v.length < 8 ? 'at least 8 characters' : true),
        },
        { output: process.stderr },
      )
  if (command === 'signup' && !flags['password-stdin']) {
    // A typo in a password typed without echo would lock the new account out: asked twice.
    const again = await prompts!.password(
      { message: 'Password again:', mask: true },
      { output: process.stderr },
    )
    if (again !== password) {
      throw new CliError('the two passwords differ: run `area signup` again', {
        exitCode: ExitCode.invalid,
        code: 'password_mismatch',
      })
    }
  }
  return { email: email.trim(), password }
}
