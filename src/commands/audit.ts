import { Flags } from '@oclif/core'
import type { Static } from '@sinclair/typebox'
import type { AuditAnswer, AuditEntrySchema } from '../contract/audit.js'
import { ApiCommand } from '../lib/api-command.js'
import { helpText } from '../lib/help-text.js'
import { sinceFlagValue } from '../lib/since.js'
import { formatTable } from '../lib/table.js'
import { terminalText as safe } from '../lib/terminal-text.js'

type AuditEntry = Static<typeof AuditEntrySchema>

export default class Audit extends ApiCommand<typeof Audit, AuditEntry[]> {
  static override summary = 'Show the audit log of your account: who changed what, when, from where.'
  static override description = helpText([
    'Lists the latest changes to your account oldest first (up to --limit): signups and logins,',
    'tokens, connections, AREAs applied, rolled back or deleted. WHO is the API token used, FROM',
    "the client's address and User-Agent as the server saw them (- for changes made outside the",
    "API). With --json, an array of the API's entries (newest first, with each change's metadata).",
  ])

  static override examples = [
    { description: 'The latest changes.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'What happened to AREAs in the last day.',
      command: '<%= config.bin %> <%= command.id %> --since 1d --action area',
    },
    {
      description: 'Every token created this week, as JSON.',
      command: '<%= config.bin %> <%= command.id %> --since 7d --action token.created --json',
    },
  ]

  static override flags = {
    since: Flags.string({
      summary: 'Only changes since then: a duration (30m, 1h, 7d) or an ISO 8601 time.',
      parse: sinceFlagValue,
    }),
    action: Flags.string({
      summary: 'Only this action (area.updated) or resource (area, token, connection, user).',
    }),
    limit: Flags.integer({
      char: 'n',
      summary: 'How many entries to show.',
      default: 20,
      min: 1,
      max: 200,
    }),
  }

  async run(): Promise<AuditEntry[]> {
    const { since, action, limit } = this.flags
    const client = await this.client()
    const page = await client.get<Static<typeof AuditAnswer>>('/v1/audit', {
      query: { since, action, limit },
    })
    return page.items
  }

  protected override render(entries: AuditEntry[]): string {
    if (entries.length === 0) return 'No audit entries yet.'
    const c = this.colors
    // The API pages newest first; people read a log top to bottom.
    const rows = [...entries]
      .reverse()
      .map((e) => [
        e.token === null ? '-' : safe(e.token),
        e.target === null ? safe(e.action) : `${safe(e.action)} ${safe(e.target)}`,
        e.at.slice(0, 19).replace('T', ' '),
        fromOf(e),
      ])
    return formatTable(['WHO', 'WHAT', 'WHEN (UTC)', 'FROM'], rows, { header: c.bold })
  }
}

function fromOf(entry: AuditEntry): string {
  if (entry.address === null && entry.userAgent === null) return '-'
  const agent = entry.userAgent === null ? '' : ` (${safe(entry.userAgent)})`
  return `${safe(entry.address ?? '?')}${agent}`
}
