import { Args } from '@oclif/core'
import { ApiCommand } from '../../lib/api-command.js'
import { confirmOrFail } from '../../lib/confirm.js'
import { helpText } from '../../lib/help-text.js'
import { type Removal, removalFlags, removalLine } from '../../lib/removal.js'

export default class ConnectionsRemove extends ApiCommand<typeof ConnectionsRemove, Removal> {
  static override summary = 'Remove a connection and its stored credentials.'
  static override description = helpText([
    'Refused while an AREA uses the connection (the error names them). Asks for confirmation on a',
    'terminal; elsewhere --yes is required.',
  ])
  static override examples = [
    { description: 'Remove, after confirming.', command: '<%= config.bin %> <%= command.id %> github-work' },
    { description: 'In a script.', command: '<%= config.bin %> <%= command.id %> github-work --yes' },
  ]

  static override args = { name: Args.string({ description: 'The connection name.', required: true }) }
  static override flags = removalFlags

  async run(): Promise<Removal> {
    const { name } = this.args
    const client = await this.client()
    await confirmOrFail(
      `Remove the connection "${name}" and its credentials?`,
      'removing a connection',
      this.flags.yes,
    )
    await client.delete(`/v1/connections/${encodeURIComponent(name)}`)
    return { name, outcome: 'removed' }
  }

  protected override render(removal: Removal): string {
    return removalLine(removal, this.colors)
  }
}
