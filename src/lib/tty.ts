/**
 * Prompts only where a person can answer: with stdin and stdout both terminals. Elsewhere (CI,
 * pipes, cron) a command fails at once and names the flag or variable to use instead.
 */

import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

type Streams = { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean } }

export function isInteractive(streams: Streams = process): boolean {
  return streams.stdin.isTTY === true && streams.stdout.isTTY === true
}

/**
 * Throws unless a prompt is possible. `alternative` says what to do instead, e.g.
 * "pass --password-stdin" or "add --yes".
 */
export function requireInteractive(what: string, alternative: string, streams: Streams = process): void {
  if (isInteractive(streams)) return
  throw new CliError(`${what} needs an interactive terminal, and this is not one: ${alternative}`, {
    exitCode: ExitCode.invalid,
    code: 'not_interactive',
  })
}
