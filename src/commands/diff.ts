import { Flags } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import type { ApplyBatchAnswer } from '../lib/api-types.js'
import { inSchemaOrder, type Plan, planOf } from '../lib/area-diff.js'
import { applyAreas, fileFlags, loadAreaDocuments } from '../lib/area-files.js'
import { ExitCode, type ExitCodeValue } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { ownerFlags, ownershipRequest } from '../lib/owner-flags.js'
import { planLines, planSummary } from '../lib/plan-output.js'
import { requirePruneForSelector, selectorFlag } from '../lib/selector-flag.js'
import { withSpinner } from '../lib/spinner.js'

/**
 * The `--json` document: the server's answer (its documents in the schema's key order), with
 * `changed` and the `plan` that the text shows: `{ areas: [{ name, action, paths }], create,
 * update, delete }`.
 */
export interface DiffOutput extends ApplyBatchAnswer {
  changed: boolean
  plan: Plan
}

export default class Diff extends ApiCommand<typeof Diff, DiffOutput> {
  static override summary = 'Show what `area apply` would change, without changing anything.'
  static override description = helpText([
    'Validates the files offline first (exit 3 with file:line:column on any problem), then asks the',
    'server for a plan and prints only what would change, Terraform style: `+ name (create)`,',
    '`~ name (update)` with each changed path and its `- old` / `+ new` values, and with --prune',
    '`- name (delete)` (-l: only AREAs whose labels match). Both documents are compared in the',
    "schema's key order. Exits 0 when nothing would change and 2 when something would (as",
    '`terraform plan -detailed-exitcode`), so CI can gate on it.',
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
      description: "Only the infra team's AREAs are candidates for deletion.",
      command: '<%= config.bin %> <%= command.id %> -f infra/ --prune -l team=infra',
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
    selector: selectorFlag('With --prune: only AREAs whose labels match are deleted (e.g. team=infra).'),
    ...ownerFlags,
  }

  async run(): Promise<DiffOutput> {
    requirePruneForSelector(this.flags)
    const ownership = ownershipRequest(this.flags)
    const loaded = await loadAreaDocuments(this.flags.file, this.flags.recursive)
    const client = await this.client()
    const { prune, selector } = this.flags
    const answer = await withSpinner(
      'Asking the server for a plan…',
      applyAreas(client, loaded, {
        dryRun: true,
        prune,
        labelSelector: selector,
        mode: 'apply',
        ...ownership,
      }),
    )
    const results = answer.results.map((r) => ({
      ...r,
      ...(r.before === undefined ? {} : { before: inSchemaOrder(r.before) }),
      ...(r.after === undefined ? {} : { after: inSchemaOrder(r.after) }),
    }))
    const plan = planOf(results)
    return { changed: plan.areas.length > 0, ...answer, results, plan }
  }

  protected override render(output: DiffOutput): string {
    const lines = planLines(output.plan, this.colors)
    return [...lines, ...(lines.length ? [''] : []), planSummary(output.plan)].join('\n')
  }

  protected override exitCodeOf(output: DiffOutput): ExitCodeValue {
    return output.changed ? ExitCode.changes : ExitCode.ok
  }
}
