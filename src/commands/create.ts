import { ApiCommand } from '../lib/api-command.js'
import type { ApplyBatchAnswer } from '../lib/api-types.js'
import { answerLines } from '../lib/apply-output.js'
import { applyAreas, fileFlags, loadAreaDocuments } from '../lib/area-files.js'
import { helpText } from '../lib/help-text.js'
import { withSpinner } from '../lib/spinner.js'

export default class Create extends ApiCommand<typeof Create, ApplyBatchAnswer> {
  static override summary = 'Create AREAs from files; fail, changing nothing, if any name exists.'
  static override description = helpText([
    'Like `area apply`, but never updates: if any AREA of the files already exists, nothing is',
    'created and the command fails naming it. All documents are validated first (exit 3 when any',
    'is invalid).',
  ])

  static override examples = [
    {
      description: 'Create the example AREAs on a fresh account.',
      command: '<%= config.bin %> <%= command.id %> -f areas.example.yaml',
    },
    {
      description: 'From stdin, as JSON.',
      command: 'cat new-area.yaml | <%= config.bin %> <%= command.id %> -f - --json',
    },
  ]

  static override flags = { ...fileFlags }

  async run(): Promise<ApplyBatchAnswer> {
    const loaded = await loadAreaDocuments(this.flags.file, this.flags.recursive)
    const client = await this.client()
    return withSpinner('Creating…', applyAreas(client, loaded, { mode: 'create' }))
  }

  protected override render(answer: ApplyBatchAnswer): string {
    return answerLines(answer, this.colors)
  }
}
