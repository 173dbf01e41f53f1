import { Flags } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import type { AreaListItem } from '../lib/api-types.js'
import { areaNamesArgs, eachArea, namesOf } from '../lib/area-batch.js'
import { documentsJson, documentsOf, documentsYaml } from '../lib/area-documents.js'
import { type FoundAreas, getArea, listAllAreas } from '../lib/areas-api.js'
import { describeError } from '../lib/base-command.js'
import { CliError } from '../lib/cli-error.js'
import type { Colors } from '../lib/colors.js'
import { ExitCode, type ExitCodeValue } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { checkSelector, selectorFlag } from '../lib/selector-flag.js'
import { formatTable } from '../lib/table.js'
import { terminalText as safe } from '../lib/terminal-text.js'
import { paintTriggerStatus, triggerStatus } from '../lib/trigger-status.js'

/** A table column: its header, its cell, and whether only `-o wide` shows it. */
interface Column {
  header: string
  cell: (area: AreaListItem, c: Colors) => string
  wide?: boolean
}

const time = (iso: string | null | undefined) => (iso ? iso.slice(0, 19).replace('T', ' ') : '-')

/** The table's columns in order; add one here (with `wide: true` for `-o wide` only). */
const columns: Column[] = [
  { header: 'NAME', cell: (a) => safe(a.name) },
  { header: 'ENABLED', cell: (a, c) => (a.enabled ? c.green('yes') : c.dim('no')) },
  { header: 'ACTION', cell: (a) => safe(`${a.service}.${a.action}`) },
  { header: 'TRIGGER', cell: (a) => safe(a.trigger.type) },
  { header: 'STATUS', cell: (a, c) => paintTriggerStatus(triggerStatus(a), c) },
  { header: 'REACTIONS', cell: (a) => String(a.spec.spec.reactions.length) },
  {
    header: 'LABELS',
    wide: true,
    cell: (a) =>
      safe(
        Object.entries(a.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '-',
      ),
  },
  { header: 'OWNER', wide: true, cell: (a) => safe(a.owner ?? '-') },
  { header: 'LAST RUN', wide: true, cell: (a) => time(a.trigger.lastRunAt) },
  { header: 'UPDATED', cell: (a) => time(a.updatedAt) },
]

export default class Get extends ApiCommand<typeof Get, FoundAreas> {
  static override summary = 'List your AREAs, or show some by name.'
  static override description = helpText([
    'A table by default; -o wide adds labels, owner and last run; -o name prints area/<name> per line;',
    '-o yaml and -o json print the AREA documents exactly as `area export` does (apply accepts',
    'them). --json prints the API objects (an array, or one object for one name). -l keeps the',
    'AREAs whose labels match a selector (kubectl syntax: team=infra, env!=prod, tier in (a,b),',
    "owner, !archived; comma means and). Several names show each; a name that doesn't exist is",
    'reported and the exit code is 1. For the webhook URL, secret and recent runs of one AREA, see',
    '`area describe`.',
  ])

  static override examples = [
    { description: 'All AREAs.', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'One AREA as YAML.', command: '<%= config.bin %> <%= command.id %> heartbeat -o yaml' },
    { description: 'Two AREAs.', command: '<%= config.bin %> <%= command.id %> heartbeat webhook-relay' },
    {
      description: "The infra team's AREAs, with labels and last run.",
      command: '<%= config.bin %> <%= command.id %> -l team=infra -o wide',
    },
    {
      description: 'Delete every AREA of a label.',
      command:
        '<%= config.bin %> <%= command.id %> -l env=test -o name | cut -d/ -f2 | xargs area delete --yes',
    },
    {
      description: 'Names of disabled AREAs.',
      command: "<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.enabled | not) | .name'",
    },
  ]

  static override strict = false
  static override args = { name: { ...areaNamesArgs.name, required: false } }

  static override flags = {
    output: Flags.string({
      char: 'o',
      summary: 'Output format.',
      options: ['table', 'wide', 'name', 'json', 'yaml'],
      default: 'table',
    }),
    selector: selectorFlag('Only AREAs whose labels match (e.g. team=infra,env!=prod).'),
  }

  private failed = 0

  async run(): Promise<FoundAreas> {
    const names = namesOf(this.positionals)
    checkSelector(this.flags.selector)
    const client = await this.client()
    if (names.length && this.flags.selector)
      throw new CliError('give AREA names or -l <selector>, not both', {
        exitCode: ExitCode.invalid,
        code: 'invalid_arguments',
      })
    if (names.length === 0) return listAllAreas(client, this.flags.selector)
    const batch = await eachArea(names, (name) => getArea(client, name))
    for (const { error } of batch.failed) this.reportError(describeError(error))
    this.failed = batch.failed.length
    return names.length === 1 && batch.done[0] ? batch.done[0] : batch.done
  }

  protected override render(found: FoundAreas): string | undefined {
    const items = Array.isArray(found) ? found : [found]
    const output = this.flags.output
    if (output === 'json') return documentsJson(documentsOf(items))
    if (output === 'yaml') return items.length ? documentsYaml(documentsOf(items)) : undefined
    if (output === 'name') return items.map((a) => `area/${safe(a.name)}`).join('\n')
    if (items.length === 0) {
      if (this.flags.selector) this.note(`No AREAs match ${this.flags.selector}.`)
      else if (!this.failed)
        this.note('You have no AREAs yet: create some with `area apply -f areas.example.yaml`.')
      return undefined
    }
    const c = this.colors
    const shown = columns.filter((col) => output === 'wide' || !col.wide)
    return formatTable(
      shown.map((col) => col.header),
      items.map((a) => shown.map((col) => col.cell(a, c))),
      { header: c.bold },
    )
  }

  protected override exitCodeOf(): ExitCodeValue {
    return this.failed ? ExitCode.error : ExitCode.ok
  }
}
