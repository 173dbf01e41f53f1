/**
 * E-mail and password for `area signup` / `area login`: from `--email` and `--password-stdin`,
 * or asked on a terminal. Without a terminal nothing is asked: the error names the flags.
 */
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'
import { readSecretLine } from './stdin.js'
import { isInteractive } from './tty.js'

export interface Credentials {
  email: string
  password: string
}

export async function readCredentials(
  flags: { email?: string; 'password-stdin'?: boolean },
  command: 'signup' | 'login',
  /** Flags of the command line shown as an example, e.g. `--supabase`. */
  exampleFlags = '',
): Promise<Credentials> {
  const missing = [!flags.email && '--email', !flags['password-stdin'] && '--password-stdin'].filter(Boolean)
  if (missing.length && !isInteractive()) {
    const alternative =
      command === 'login' ? ' (or pipe an API token into `area login --with-token`, or set AREA_TOKEN)' : ''
    const invocation = [`area ${command}`, exampleFlags].filter(Boolean).join(' ')
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
  return { email: email.trim(), password }
}
