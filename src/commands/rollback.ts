import { Flags } from '@oclif/core'
import type { Static } from '@sinclair/typebox'
import type { RollbackAnswer } from '../contract/revisions.js'
import { ApiCommand } from '../lib/api-command.js'
import { answerLines } from '../lib/apply-output.js'
import { areaArgs } from '../lib/area-args.js'
import { helpText } from '../lib/help-text.js'

type Rollback = Static<typeof RollbackAnswer>

export default class RollbackCommand extends ApiCommand<typeof RollbackCommand, Rollback> {
  static override summary = 'Re-apply an earlier revision of an AREA (default: the previous one).'
  static override description = helpText([
    'Applies the document of revision N again, as a new revision, exactly like `area apply -f`',
    'would: same checks, same output, --dry-run to see the plan first. Secret params are kept as',
    'the AREA holds them now; a revision whose secret has changed since cannot be rolled back to',
    '(apply the file with the secret instead). `area history NAME` lists the revisions kept.',
  ])

  static override examples = [
    { description: 'Undo the last apply.', command: '<%= config.bin %> <%= command.id %> webhook-relay' },
    {
      description: 'See what going back to revision 3 would change.',
      command: '<%= config.bin %> <%= command.id %> webhook-relay --to 3 --dry-run',
    },
  ]

  static override args = areaArgs
  static override flags = {
    to: Flags.integer({
      summary: 'The revision to go back to (default: the one before the current).',
      min: 1,
    }),
    'dry-run': Flags.boolean({ summary: 'Report what would change; change nothing.', default: false }),
  }

  async run(): Promise<Rollback> {
    const client = await this.client()
    const path = `/v1/areas/${encodeURIComponent(this.args.name)}/rollback`
    return client.post<Rollback>(path, { to: this.flags.to, dryRun: this.flags['dry-run'] })
  }

  protected override render(answer: Rollback): string {
    return `Revision ${answer.revision} of ${this.args.name}:\n${answerLines(answer, this.colors)}`
  }
}
