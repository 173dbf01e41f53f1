import { ApiCommand } from '../../lib/api-command.js'
import { commandName } from '../../lib/command-name.js'
import { type ConnectionInfo, listConnections } from '../../lib/connections-api.js'
import { formatTable } from '../../lib/table.js'
import { terminalText as safe } from '../../lib/terminal-text.js'

export default class ConnectionsList extends ApiCommand<typeof ConnectionsList, ConnectionInfo[]> {
  static override summary = 'List your connections: service, kind and status (never the credentials).'
  static override examples = [
    { description: 'As a table.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description:
        'As JSON: an array of { name, service, kind, status, statusDetail, tokenExpiresAt, createdAt }.',
      command: '<%= config.bin %> <%= command.id %> --json',
    },
  ]

  async run(): Promise<ConnectionInfo[]> {
    return listConnections(await this.client())
  }

  protected override render(connections: ConnectionInfo[]): string {
    if (connections.length === 0)
      return `No connections yet: add one with \`${commandName()} connections add <service>\`.`
    const c = this.colors
    const date = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '-')
    return formatTable(
      ['NAME', 'SERVICE', 'KIND', 'STATUS', 'TOKEN EXPIRES', 'CREATED'],
      connections.map((x) => [
        safe(x.name),
        safe(x.service),
        safe(x.kind),
        // A failed refresh's detail quotes the provider's answer.
        x.status === 'active'
          ? c.green(x.status)
          : c.red(safe(`${x.status}${x.statusDetail ? `: ${x.statusDetail}` : ''}`)),
        date(x.tokenExpiresAt),
        date(x.createdAt),
      ]),
      { header: c.bold },
    )
  }
}
