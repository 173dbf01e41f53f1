import { Args } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import { toggleArea, toggleMessage } from '../lib/toggle-area.js'

export default class Enable extends ApiCommand<typeof Enable> {
  static override summary = 'Turn an AREA on: its trigger fires again.'
  static override description =
    'The file stays the reference: `area apply` sets spec.enabled back to what the file says.'

  static override examples = [
    { description: 'Enable an AREA.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    {
      description: 'As JSON: { name, enabled, outcome }.',
      command: '<%= config.bin %> <%= command.id %> heartbeat --json',
    },
  ]

  static override args = { name: Args.string({ description: 'The AREA name.', required: true }) }

  async run(): Promise<void> {
    const output = await toggleArea(await this.client(), this.args.name, true)
    this.print(output, () => toggleMessage(output))
  }
}
