import { Args } from '@oclif/core'
import { stringify } from 'yaml'
import { ApiCommand } from '../lib/api-command.js'
import { getArea, listAllAreas } from '../lib/areas-api.js'

export default class Export extends ApiCommand<typeof Export> {
  static override summary = 'Print AREAs as YAML documents that `area apply` accepts unchanged.'
  static override description =
    'Prints the canonical documents the server stores (defaults filled in, environment references already resolved), one YAML document per AREA, separated by ---. Applying the output changes nothing: `area export > areas.yaml && area diff -f areas.yaml` exits 0. With --json, prints the documents as a JSON array.'

  static override examples = [
    { description: 'Back up every AREA.', command: '<%= config.bin %> <%= command.id %> > areas.yaml' },
    { description: 'One AREA.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    {
      description: 'Copy AREAs to another server.',
      command:
        '<%= config.bin %> <%= command.id %> | <%= config.bin %> apply -f - --api-url https://other.example.com',
    },
  ]

  static override args = {
    name: Args.string({ description: 'An AREA name; all AREAs when left out.' }),
  }

  async run(): Promise<void> {
    const client = await this.client()
    const specs = this.args.name
      ? [(await getArea(client, this.args.name)).spec]
      : (await listAllAreas(client)).map((a) => a.spec)
    if (this.jsonOutput) {
      this.printJson(specs)
      return
    }
    if (specs.length === 0) {
      this.note('You have no AREAs yet: nothing to export.')
      return
    }
    process.stdout.write(specs.map((spec) => stringify(spec, { lineWidth: 0 })).join('---\n'))
  }
}
