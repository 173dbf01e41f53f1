/**
 * Confirmation of destructive actions: `--yes` answers; otherwise a prompt on a terminal, and
 * without one a failure that names `--yes` (nothing is ever deleted silently in CI).
 */
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'
import { requireInteractive } from './tty.js'

export async function confirmOrFail(question: string, what: string, yes: boolean): Promise<void> {
  if (yes) return
  requireInteractive(what, 'add --yes to confirm')
  const { confirm } = await import('@inquirer/prompts')
  const ok = await confirm({ message: question, default: false }, { output: process.stderr })
  if (!ok)
    throw new CliError('cancelled: nothing was changed', { exitCode: ExitCode.error, code: 'cancelled' })
}
