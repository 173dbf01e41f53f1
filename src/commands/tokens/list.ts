import { ApiCommand } from '../../lib/api-command.js'
import type { Page, TokenInfo } from '../../lib/api-types.js'
import { formatTable } from '../../lib/table.js'
import { terminalText as safe } from '../../lib/terminal-text.js'

export default class TokensList extends ApiCommand<typeof TokensList, TokenInfo[]> {
  static override summary = 'List your live API tokens (never the tokens themselves).'
  static override examples = [
    {
      description: 'All live tokens; * marks the one in use.',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'As JSON: an array of { name, createdAt, expiresAt, lastUsedAt, expired, current }.',
      command: '<%= config.bin %> <%= command.id %> --json',
    },
  ]

  async run(): Promise<TokenInfo[]> {
    return (await (await this.client()).get<Page<TokenInfo>>('/v1/tokens')).items
  }

  protected override render(tokens: TokenInfo[]): string {
    const c = this.colors
    const date = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '-')
    return formatTable(
      ['NAME', 'CREATED', 'LAST USED', 'EXPIRES'],
      tokens.map((t) => [
        t.current ? `${safe(t.name)} ${c.cyan('*')}` : safe(t.name),
        date(t.createdAt),
        date(t.lastUsedAt),
        t.expired ? c.red('expired') : date(t.expiresAt),
      ]),
      { header: c.bold },
    )
  }
}
