import { Args, Flags } from '@oclif/core'
import { ApiCommand } from '../../lib/api-command.js'
import { confirmOrFail } from '../../lib/confirm.js'

export default class ConnectionsRemove extends ApiCommand<typeof ConnectionsRemove> {
  static override summary = 'Remove a connection and its stored credentials.'
  static override description =
    'Refused while an AREA uses the connection (the error names them). Asks for confirmation on a terminal; elsewhere --yes is required.'
  static override examples = [
    { description: 'Remove, after confirming.', command: '<%= config.bin %> <%= command.id %> github-work' },
    { description: 'In a script.', command: '<%= config.bin %> <%= command.id %> github-work --yes' },
  ]

  static override args = { name: Args.string({ description: 'The connection name.', required: true }) }
  static override flags = {
    yes: Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation.', default: false }),
  }

  async run(): Promise<void> {
    const { name } = this.args
    const client = await this.client()
    await confirmOrFail(
      `Remove the connection "${name}" and its credentials?`,
      'removing a connection',
      this.flags.yes,
    )
    await client.delete(`/v1/connections/${encodeURIComponent(name)}`)
    this.print({ name, outcome: 'removed' }, () => `${this.colors.red('-')} removed ${name}`)
  }
}
