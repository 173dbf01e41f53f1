import { ApiCommand } from '../lib/api-command.js'
import type { ApplyBatchAnswer } from '../lib/api-types.js'
import { resultLine, summaryLine } from '../lib/apply-output.js'
import { fileFlags, loadAreaDocuments, locateServerIssues } from '../lib/area-files.js'
import { withSpinner } from '../lib/spinner.js'

export default class Create extends ApiCommand<typeof Create> {
  static override summary = 'Create AREAs from files; fail, changing nothing, if any name exists.'
  static override description =
    'Like `area apply`, but never updates: if any AREA of the files already exists, nothing is created and the command fails naming it. All documents are validated first (exit 3 when any is invalid).'

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

  async run(): Promise<void> {
    const { areas, documents } = await loadAreaDocuments(this.flags.file, this.flags.recursive)
    const client = await this.client()
    const answer = await withSpinner(
      'Creating…',
      client.post<ApplyBatchAnswer>('/v1/areas/apply', { documents, mode: 'create' }),
    ).catch((error: unknown) => {
      throw locateServerIssues(error, areas)
    })
    this.print(answer, () => {
      const lines = answer.results.map((r) => resultLine(r, this.colors, false))
      lines.push('', summaryLine(answer.results, false))
      return lines.join('\n')
    })
  }
}
