import { Args } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import { toggleArea, toggleMessage } from '../lib/toggle-area.js'

export default class Disable extends ApiCommand<typeof Disable> {
  static override summary = 'Turn an AREA off: its trigger stops firing.'
  static override description =
    'The file stays the reference: `area apply` sets spec.enabled back to what the file says.'

  static override examples = [
    { description: 'Disable an AREA.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    {
      description: 'As JSON: { name, enabled, outcome }.',
      command: '<%= config.bin %> <%= command.id %> heartbeat --json',
    },
  ]

  static override args = { name: Args.string({ description: 'The AREA name.', required: true }) }

  async run(): Promise<void> {
    const output = await toggleArea(await this.client(), this.args.name, false)
    this.print(output, () => toggleMessage(output))
  }
}
