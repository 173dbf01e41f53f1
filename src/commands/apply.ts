import { Flags } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import type { ApplyBatchAnswer } from '../lib/api-types.js'
import { answerLines } from '../lib/apply-output.js'
import { applyAreas, fileFlags, loadAreaDocuments } from '../lib/area-files.js'
import { confirmOrFail } from '../lib/confirm.js'
import { helpText } from '../lib/help-text.js'
import { ownerFlags, ownershipRequest } from '../lib/owner-flags.js'
import { requirePruneForSelector, selectorFlag } from '../lib/selector-flag.js'
import { withSpinner } from '../lib/spinner.js'
import { requireInteractive } from '../lib/tty.js'

/**
 * The `--json` document is the server's answer:
 * `{ dryRun, results: [{ name, outcome, changes }], pruned }`.
 */
export type ApplyOutput = ApplyBatchAnswer

export default class Apply extends ApiCommand<typeof Apply, ApplyOutput> {
  static override summary = 'Create or update AREAs from files, by name; optionally delete the others.'
  static override description = helpText([
    'Every document is validated offline first and then by the server; if any is invalid nothing',
    'changes (exit 3). The files are applied in one transaction: each AREA is created, updated or',
    'left unchanged, and reported so. With --prune, your AREAs whose names are in none of the files',
    'are deleted: that asks for confirmation on a terminal and needs --yes elsewhere; with -l, only',
    'those whose labels match the selector. With --owner, each AREA written records that owner, an',
    'AREA of another owner is refused (--take-ownership moves it), and --prune deletes only AREAs',
    'of that owner; without it, --prune never deletes an AREA that has an owner.',
    'Prints what changed, path by path, as `area diff` does.',
    '--dry-run only reports what would happen (see also `area diff`).',
  ])

  static override examples = [
    {
      description: 'Apply the example AREAs.',
      command: '<%= config.bin %> <%= command.id %> -f areas.example.yaml',
    },
    {
      description: 'In CI: make the server match a directory exactly.',
      command: '<%= config.bin %> <%= command.id %> -f areas/ --prune --yes',
    },
    {
      description: "Make the server match a directory for one team's AREAs only.",
      command: '<%= config.bin %> <%= command.id %> -f infra/ --prune -l team=infra --yes',
    },
    {
      description:
        "A pipeline that manages its own AREAs only: another pipeline's are neither changed nor pruned.",
      command: '<%= config.bin %> <%= command.id %> -f infra/ --prune --owner infra-ci --yes',
    },
    {
      description: 'What would happen, as JSON.',
      command: '<%= config.bin %> <%= command.id %> -f areas/ --dry-run --json',
    },
  ]

  static override flags = {
    ...fileFlags,
    prune: Flags.boolean({ summary: 'Delete your AREAs that are not in the files.', default: false }),
    'dry-run': Flags.boolean({ summary: 'Report what would change; change nothing.', default: false }),
    yes: Flags.boolean({ char: 'y', summary: 'Do not ask before deleting with --prune.', default: false }),
    selector: selectorFlag('With --prune: delete only AREAs whose labels match (e.g. team=infra).'),
    ...ownerFlags,
  }

  async run(): Promise<ApplyOutput> {
    const { prune, yes, selector } = this.flags
    const dryRun = this.flags['dry-run']
    requirePruneForSelector(this.flags)
    const ownership = ownershipRequest(this.flags)
    // Fail before reading anything: a CI job without --yes must not depend on what exists.
    if (prune && !dryRun && !yes)
      requireInteractive('--prune deletes AREAs and asks first; it', 'add --yes to confirm')
    const loaded = await loadAreaDocuments(this.flags.file, this.flags.recursive)
    const client = await this.client()
    const send = (plan: boolean) =>
      withSpinner(
        plan ? 'Planning…' : 'Applying…',
        applyAreas(client, loaded, {
          prune,
          dryRun: plan,
          mode: 'apply',
          labelSelector: selector,
          ...ownership,
        }),
      )
    if (prune && !dryRun && !yes) {
      const plan = await send(true)
      if (plan.pruned.length) {
        const names = plan.pruned.join(', ')
        await confirmOrFail(
          `Delete ${plan.pruned.length} AREA(s) not in the files (${names})?`,
          '--prune',
          yes,
        )
      }
    }
    return send(dryRun)
  }

  protected override render(answer: ApplyOutput): string {
    return answerLines(answer, this.colors)
  }
}
