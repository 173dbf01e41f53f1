/**
 * oclif's command_not_found hook: a mistyped command says what was meant and exits 3 (invalid
 * input) at once; it never prompts, so a script with a typo fails instead of hanging.
 */
import { Errors, type Hook } from '@oclif/core'
import { colorsFor } from '../lib/colors.js'
import { ExitCode } from '../lib/exit-codes.js'
import { terminalJson } from '../lib/terminal-text.js'
import { unknownCommandMessage } from '../lib/unknown-command.js'

const hook: Hook<'command_not_found'> = async ({ id, argv, config }) => {
  const message = unknownCommandMessage(id, config)
  const json = (argv ?? []).includes('--json')
  process.stderr.write(
    json
      ? `${terminalJson({ error: { code: 'unknown_command', message } })}\n`
      : `${colorsFor(process.stderr).red('Error:')} ${message}\n`,
  )
  throw new Errors.ExitError(ExitCode.invalid)
}

export default hook
