import type { Static } from '@sinclair/typebox'
import type { RevisionSchema, RevisionsAnswer } from '../contract/revisions.js'
import { ApiCommand } from '../lib/api-command.js'
import { areaArgs } from '../lib/area-args.js'
import { helpText } from '../lib/help-text.js'
import { formatTable } from '../lib/table.js'
import { terminalText as safe } from '../lib/terminal-text.js'

type Revision = Static<typeof RevisionSchema>

export default class History extends ApiCommand<typeof History, Revision[]> {
  static override summary = "List an AREA's revisions: number, when, who applied it, what changed."
  static override description = helpText([
    'Each apply that changes an AREA is a revision; the server keeps the last',
    'AREA_MAX_REVISIONS_PER_AREA (20 by default). * marks the current one. Go back to one with',
    '`area rollback NAME --to N`. With --json, the revisions newest first, each with its document',
    '(secrets as <secret:…> placeholders).',
  ])

  static override examples = [
    {
      description: 'What happened to an AREA.',
      command: '<%= config.bin %> <%= command.id %> webhook-relay',
    },
    {
      description: 'The document of revision 3.',
      command:
        "<%= config.bin %> <%= command.id %> webhook-relay --json | jq '.[] | select(.revision == 3) | .spec'",
    },
  ]

  static override args = areaArgs

  async run(): Promise<Revision[]> {
    const client = await this.client()
    const path = `/v1/areas/${encodeURIComponent(this.args.name)}/revisions`
    return (await client.get<Static<typeof RevisionsAnswer>>(path)).items
  }

  protected override render(revisions: Revision[]): string {
    const c = this.colors
    return formatTable(
      ['REVISION', 'APPLIED (UTC)', 'BY', 'CHANGES'],
      revisions.map((r) => [
        r.current ? `${r.revision} ${c.cyan('*')}` : String(r.revision),
        r.appliedAt.slice(0, 19).replace('T', ' '),
        r.appliedBy === null ? '-' : safe(r.appliedBy),
        r.changes.length ? safe(r.changes.join(', ')) : '-',
      ]),
      { header: c.bold },
    )
  }
}
