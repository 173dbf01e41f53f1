import { Flags } from '@oclif/core'
import { stringify } from 'yaml'
import { ApiCommand } from '../lib/api-command.js'
import { someAreasArgs } from '../lib/area-args.js'
import { type FoundAreas, readAreas } from '../lib/areas-api.js'
import { jsonText } from '../lib/base-command.js'
import { helpText } from '../lib/help-text.js'
import { formatTable } from '../lib/table.js'
import { terminalText as safe, terminalDocument } from '../lib/terminal-text.js'
import { paintTriggerStatus, triggerStatus } from '../lib/trigger-status.js'

export default class Get extends ApiCommand<typeof Get, FoundAreas> {
  static override summary = 'List your AREAs, or show one.'
  static override description = helpText([
    'A table by default; -o json prints the API objects (an array, or one object with a name),',
    '-o yaml the same as YAML. --json is -o json. For the webhook URL, secret and recent runs of one',
    'AREA, see `area describe`.',
  ])

  static override examples = [
    { description: 'All AREAs.', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'One AREA as YAML.', command: '<%= config.bin %> <%= command.id %> heartbeat -o yaml' },
    {
      description: 'Names of disabled AREAs.',
      command: "<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.enabled | not) | .name'",
    },
  ]

  static override args = someAreasArgs

  static override flags = {
    output: Flags.string({
      char: 'o',
      summary: 'Output format.',
      options: ['table', 'json', 'yaml'],
      default: 'table',
    }),
  }

  async run(): Promise<FoundAreas> {
    return readAreas(await this.client(), this.args.name)
  }

  protected override render(found: FoundAreas): string | undefined {
    if (this.flags.output === 'json') return jsonText(found)
    if (this.flags.output === 'yaml')
      return terminalDocument(stringify(found, { lineWidth: 0 }), process.stdout)
    const items = Array.isArray(found) ? found : [found]
    if (items.length === 0) {
      this.note('You have no AREAs yet: create some with `area apply -f areas.example.yaml`.')
      return undefined
    }
    const c = this.colors
    return formatTable(
      ['NAME', 'ENABLED', 'ACTION', 'TRIGGER', 'STATUS', 'REACTIONS', 'UPDATED'],
      items.map((a) => [
        safe(a.name),
        a.enabled ? c.green('yes') : c.dim('no'),
        safe(`${a.service}.${a.action}`),
        safe(a.trigger.type),
        paintTriggerStatus(triggerStatus(a), c),
        String(a.spec.spec.reactions.length),
        a.updatedAt.slice(0, 19).replace('T', ' '),
      ]),
      { header: c.bold },
    )
  }
}
