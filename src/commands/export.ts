import { ApiCommand } from '../lib/api-command.js'
import { someAreasArgs } from '../lib/area-args.js'
import { type AreaDocuments, documentsOf, documentsYaml } from '../lib/area-documents.js'
import { readAreas } from '../lib/areas-api.js'
import { helpText } from '../lib/help-text.js'

/** The `--json` document: the stored AREA documents. */
export type ExportOutput = AreaDocuments

export default class Export extends ApiCommand<typeof Export, ExportOutput> {
  static override summary = 'Print AREAs as YAML documents that `area apply` accepts unchanged.'
  static override description = helpText([
    'Prints the canonical documents the server stores (defaults filled in, environment references',
    'already resolved), one YAML document per AREA, separated by ---. Applying the output changes',
    'nothing: `area export > areas.yaml && area diff -f areas.yaml` exits 0. With --json, prints the',
    'documents as a JSON array.',
  ])

  static override examples = [
    { description: 'Back up every AREA.', command: '<%= config.bin %> <%= command.id %> > areas.yaml' },
    { description: 'One AREA.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    {
      description: 'Copy AREAs to another server.',
      command:
        '<%= config.bin %> <%= command.id %> | <%= config.bin %> apply -f - --api-url https://other.example.com',
    },
  ]

  static override args = someAreasArgs

  async run(): Promise<ExportOutput> {
    const found = await readAreas(await this.client(), this.args.name)
    return documentsOf(Array.isArray(found) ? found : [found])
  }

  protected override render(specs: ExportOutput): string | undefined {
    if (specs.length === 0) {
      this.note('You have no AREAs yet: nothing to export.')
      return undefined
    }
    return documentsYaml(specs)
  }
}
