import { ApiCommand } from '../lib/api-command.js'
import { areaNamesArgs, eachArea, namesOf } from '../lib/area-batch.js'
import { areaPath, getArea } from '../lib/areas-api.js'
import { describeError } from '../lib/base-command.js'
import { confirmOrFail } from '../lib/confirm.js'
import { ExitCode, type ExitCodeValue } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { type Removal, removalFlags, removalLine } from '../lib/removal.js'

/** One removal; an array of them when several names are given. */
export type DeleteOutput = Removal | Removal[]

export default class Delete extends ApiCommand<typeof Delete, DeleteOutput> {
  static override summary = 'Delete AREAs, their triggers and their history.'
  static override description = helpText([
    'Asks for confirmation on a terminal (once, for all the names); elsewhere --yes is required.',
    "Several names are each deleted; a name that doesn't exist is reported, the others are still",
    'deleted, and the exit code is 1.',
  ])

  static override examples = [
    { description: 'Delete, after confirming.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    { description: 'In a script.', command: '<%= config.bin %> <%= command.id %> heartbeat --yes' },
    {
      description: 'Several at once, confirmed once.',
      command: '<%= config.bin %> <%= command.id %> heartbeat webhook-relay',
    },
  ]

  static override strict = false
  static override args = areaNamesArgs
  static override flags = removalFlags

  private failed = 0

  async run(): Promise<DeleteOutput> {
    const names = namesOf(this.positionals)
    const client = await this.client()
    let existing = names
    if (!this.flags.yes) {
      // Asking about AREAs that do not exist would be odd: check first (404 otherwise).
      const found = await eachArea(names, (name) => getArea(client, name).then(() => name))
      this.report(found.failed)
      existing = found.done
      if (existing.length === 0) return []
      const question =
        existing.length === 1
          ? `Delete the AREA "${existing[0]}" and its history?`
          : `Delete ${existing.length} AREAs (${existing.join(', ')}) and their history?`
      await confirmOrFail(question, 'deleting an AREA', false)
    }
    const deleted = await eachArea(existing, async (name): Promise<Removal> => {
      await client.delete(areaPath(name))
      return { name, outcome: 'deleted' }
    })
    this.report(deleted.failed)
    return names.length === 1 && deleted.done[0] ? deleted.done[0] : deleted.done
  }

  private report(failed: { error: Error }[]): void {
    for (const { error } of failed) this.reportError(describeError(error))
    this.failed += failed.length
  }

  protected override render(output: DeleteOutput): string {
    return (Array.isArray(output) ? output : [output]).map((r) => removalLine(r, this.colors)).join('\n')
  }

  protected override exitCodeOf(): ExitCodeValue {
    return this.failed ? ExitCode.error : ExitCode.ok
  }
}
