import { Flags } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import type { ApplyBatchAnswer } from '../lib/api-types.js'
import { documentDiff, resultLine, summaryLine } from '../lib/apply-output.js'
import { applyAreas, fileFlags, loadAreaDocuments } from '../lib/area-files.js'
import { ExitCode, type ExitCodeValue } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { withSpinner } from '../lib/spinner.js'

/** The `--json` document: the server's plan, with `changed` for scripts. */
export interface DiffOutput extends ApplyBatchAnswer {
  changed: boolean
}

export default class Diff extends ApiCommand<typeof Diff, DiffOutput> {
  static override summary = 'Show what `area apply` would change, without changing anything.'
  static override description = helpText([
    'Validates the files offline first (exit 3 with file:line:column on any problem), then asks the',
    'server for a plan: each AREA is to create, to update (with a diff of its document) or',
    'unchanged; with --prune, AREAs missing from the files are to delete. Exits 0 when nothing would',
    'change and 2 when something would, so CI can gate on it.',
  ])

  static override examples = [
    {
      description: 'What would applying the example change?',
      command: '<%= config.bin %> <%= command.id %> -f areas.example.yaml',
    },
    {
      description: 'Including deletions of AREAs not in the directory.',
      command: '<%= config.bin %> <%= command.id %> -f areas/ --prune',
    },
    {
      description: 'In CI: fail the job when the server drifted from the repository.',
      command: '<%= config.bin %> <%= command.id %> -f areas/ --json > plan.json || echo "changes (exit $?)"',
    },
  ]

  static override flags = {
    ...fileFlags,
    prune: Flags.boolean({
      summary: 'Also show the AREAs that `apply --prune` would delete.',
      default: false,
    }),
  }

  async run(): Promise<DiffOutput> {
    const loaded = await loadAreaDocuments(this.flags.file, this.flags.recursive)
    const client = await this.client()
    const plan = await withSpinner(
      'Asking the server for a plan…',
      applyAreas(client, loaded, { dryRun: true, prune: this.flags.prune, mode: 'apply' }),
    )
    return { changed: plan.results.some((r) => r.outcome !== 'unchanged'), ...plan }
  }

  protected override render(plan: DiffOutput): string {
    const c = this.colors
    const lines: string[] = []
    for (const result of plan.results) {
      lines.push(resultLine(result, c, true))
      const diff = documentDiff(result, c)
      if (diff) lines.push(diff)
    }
    lines.push(
      '',
      plan.changed ? summaryLine(plan.results, true) : 'No changes: the server matches the files.',
    )
    return lines.join('\n')
  }

  protected override exitCodeOf(plan: DiffOutput): ExitCodeValue {
    return plan.changed ? ExitCode.changes : ExitCode.ok
  }
}
