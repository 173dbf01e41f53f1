import { ApiCommand } from '../lib/api-command.js'
import { areaArgs } from '../lib/area-args.js'
import { areaPath, getArea } from '../lib/areas-api.js'
import { confirmOrFail } from '../lib/confirm.js'
import { type Removal, removalFlags, removalLine } from '../lib/removal.js'

export default class Delete extends ApiCommand<typeof Delete, Removal> {
  static override summary = 'Delete an AREA, its trigger and its history.'
  static override description = 'Asks for confirmation on a terminal; elsewhere --yes is required.'
  static override examples = [
    { description: 'Delete, after confirming.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    { description: 'In a script.', command: '<%= config.bin %> <%= command.id %> heartbeat --yes' },
  ]

  static override args = areaArgs
  static override flags = removalFlags

  async run(): Promise<Removal> {
    const { name } = this.args
    const client = await this.client()
    if (!this.flags.yes) {
      // Asking about an AREA that does not exist would be odd: check first (404 otherwise).
      await getArea(client, name)
      await confirmOrFail(`Delete the AREA "${name}" and its history?`, 'deleting an AREA', false)
    }
    await client.delete(areaPath(name))
    return { name, outcome: 'deleted' }
  }

  protected override render(removal: Removal): string {
    return removalLine(removal, this.colors)
  }
}
