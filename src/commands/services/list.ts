import type { ServiceSummary } from '../../lib/api-types.js'
import { BaseCommand } from '../../lib/base-command.js'
import { commandName } from '../../lib/command-name.js'
import { localServices } from '../../lib/local-catalog.js'
import { formatTable } from '../../lib/table.js'

export default class ServicesList extends BaseCommand<typeof ServicesList, ServiceSummary[]> {
  static override summary =
    'List the services built into area and its plugins (AREA_PLUGINS), with their actions and reactions (no server needed).'
  static override examples = [
    { description: 'The catalog.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Service ids only.',
      command: "<%= config.bin %> <%= command.id %> --json | jq -r '.[].id'",
    },
  ]

  async run(): Promise<ServiceSummary[]> {
    return localServices()
  }

  protected override render(services: ServiceSummary[]): string {
    const c = this.colors
    const table = formatTable(
      ['SERVICE', 'AUTH', 'ACTIONS', 'REACTIONS'],
      services.map((s) => [
        s.id,
        s.authKind,
        s.actions.map((a) => `${a.id} (${a.triggers.join('/')})`).join(', ') || c.dim('-'),
        s.reactions.map((r) => r.id).join(', ') || c.dim('-'),
      ]),
      { header: c.bold },
    )
    return `${table}\n\n${c.dim(`Details and params: ${commandName()} services describe <service>`)}`
  }
}
