import { Args, Flags } from '@oclif/core'
import { stringify } from 'yaml'
import { ApiCommand } from '../lib/api-command.js'
import type { AreaListItem } from '../lib/api-types.js'
import { getArea, listAllAreas } from '../lib/areas-api.js'
import { formatTable } from '../lib/table.js'

export default class Get extends ApiCommand<typeof Get> {
  static override summary = 'List your AREAs, or show one.'
  static override description =
    'A table by default; -o json prints the API objects (an array, or one object with a name), -o yaml the same as YAML. --json is -o json. For the webhook URL, secret and recent runs of one AREA, see `area describe`.'

  static override examples = [
    { description: 'All AREAs.', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'One AREA as YAML.', command: '<%= config.bin %> <%= command.id %> heartbeat -o yaml' },
    {
      description: 'Names of disabled AREAs.',
      command: "<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.enabled | not) | .name'",
    },
  ]

  static override args = { name: Args.string({ description: 'An AREA name; all AREAs when left out.' }) }

  static override flags = {
    output: Flags.string({
      char: 'o',
      summary: 'Output format.',
      options: ['table', 'json', 'yaml'],
      default: 'table',
    }),
  }

  async run(): Promise<void> {
    const client = await this.client()
    const items: AreaListItem[] = this.args.name
      ? [await getArea(client, this.args.name)]
      : await listAllAreas(client)
    const data = this.args.name ? items[0] : items
    const format = this.jsonOutput ? 'json' : this.flags.output
    if (format === 'json') return this.printJson(data)
    if (format === 'yaml') {
      process.stdout.write(stringify(data, { lineWidth: 0 }))
      return
    }
    if (items.length === 0) {
      this.note('You have no AREAs yet: create some with `area apply -f areas.example.yaml`.')
      return
    }
    const c = this.colors
    const table = formatTable(
      ['NAME', 'ENABLED', 'ACTION', 'TRIGGER', 'REACTIONS', 'UPDATED'],
      items.map((a) => [
        a.name,
        a.enabled ? c.green('yes') : c.dim('no'),
        `${a.service}.${a.action}`,
        a.trigger.type,
        String(a.spec.spec.reactions.length),
        a.updatedAt.slice(0, 19).replace('T', ' '),
      ]),
      { header: c.bold },
    )
    process.stdout.write(`${table}\n`)
  }
}
