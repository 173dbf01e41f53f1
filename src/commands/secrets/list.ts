import type { Static } from '@sinclair/typebox'
import type { SecretSchema } from '../../contract/secrets.js'
import { ApiCommand } from '../../lib/api-command.js'
import type { Page } from '../../lib/api-types.js'
import { commandName } from '../../lib/command-name.js'
import { formatTable } from '../../lib/table.js'
import { terminalText as safe } from '../../lib/terminal-text.js'

type Secret = Static<typeof SecretSchema>

export default class SecretsList extends ApiCommand<typeof SecretsList, Secret[]> {
  static override summary = 'List your secrets: names and dates (never the values).'
  static override examples = [
    { description: 'As a table.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'As JSON: an array of { name, createdAt, updatedAt }.',
      command: '<%= config.bin %> <%= command.id %> --json',
    },
  ]

  async run(): Promise<Secret[]> {
    return (await (await this.client()).get<Page<Secret>>('/v1/secrets')).items
  }

  protected override render(secrets: Secret[]): string {
    if (secrets.length === 0) return `No secrets yet: set one with \`${commandName()} secrets set NAME\`.`
    const date = (iso: string) => iso.slice(0, 19).replace('T', ' ')
    return formatTable(
      ['NAME', 'CREATED', 'UPDATED'],
      secrets.map((s) => [safe(s.name), date(s.createdAt), date(s.updatedAt)]),
      { header: this.colors.bold },
    )
  }
}
