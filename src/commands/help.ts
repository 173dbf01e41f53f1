import { Args, loadHelpClass } from '@oclif/core'
import { BaseCommand, CliError } from '../lib/base-command.js'
import { ExitCode } from '../lib/exit-codes.js'
import { unknownCommandMessage } from '../lib/unknown-command.js'

/** `area help [COMMAND…]`: the same text as `--help` and `-h`, as git and kubectl have it. */
export default class Help extends BaseCommand<typeof Help> {
  static override summary = 'Show help for area, or for one of its commands.'
  static override args = {
    command: Args.string({ description: 'A command, e.g. `apply` or `tokens create`.', required: false }),
  }
  static override strict = false
  static override examples = [
    { description: 'Every command.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'One command, as `area tokens create --help`.',
      command: '<%= config.bin %> <%= command.id %> tokens create',
    },
  ]

  async run(): Promise<void> {
    const words = this.argv.filter((word) => !word.startsWith('-'))
    if (words.length) {
      const id = words.join(':')
      if (!this.config.findCommand(id) && !this.config.findTopic(id))
        throw new CliError(unknownCommandMessage(id, this.config), {
          exitCode: ExitCode.invalid,
          code: 'unknown_command',
        })
    }
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions).showHelp(words)
  }
}
