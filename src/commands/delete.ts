import { Args, Flags } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import { areaPath, getArea } from '../lib/areas-api.js'
import { confirmOrFail } from '../lib/confirm.js'

export default class Delete extends ApiCommand<typeof Delete> {
  static override summary = 'Delete an AREA, its trigger and its history.'
  static override description = 'Asks for confirmation on a terminal; elsewhere --yes is required.'
  static override examples = [
    { description: 'Delete, after confirming.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    { description: 'In a script.', command: '<%= config.bin %> <%= command.id %> heartbeat --yes' },
  ]

  static override args = { name: Args.string({ description: 'The AREA name.', required: true }) }
  static override flags = {
    yes: Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation.', default: false }),
  }

  async run(): Promise<void> {
    const { name } = this.args
    const client = await this.client()
    if (!this.flags.yes) {
      // Asking about an AREA that does not exist would be odd: check first (404 otherwise).
      await getArea(client, name)
      await confirmOrFail(`Delete the AREA "${name}" and its history?`, 'deleting an AREA', false)
    }
    await client.delete(areaPath(name))
    this.print({ name, outcome: 'deleted' }, () => `${this.colors.red('-')} deleted ${name}`)
  }
}
