import { Flags } from '@oclif/core'
import { createRegistry } from '../engine/registry.js'
import { BaseCommand } from '../lib/base-command.js'
import { ExitCode } from '../lib/exit-codes.js'
import { formatTable } from '../lib/table.js'
import { builtinServices } from '../services/index.js'
import { type AreaSummary, summarizeArea } from '../spec/area-summary.js'
import { type FileIssue, formatIssue } from '../spec/file-issue.js'
import { STDIN } from '../spec/read-sources.js'
import { validateFiles } from '../spec/validate-files.js'

/** The `--json` document; its shape is stable. */
export interface ValidateOutput {
  valid: boolean
  areas: AreaSummary[]
  issues: FileIssue[]
}

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Check AREA files offline: no server, no login.'
  static override description =
    `Reads the AREA files (a file, a directory of *.yaml/*.yml files, or - for stdin; -f may be repeated), resolves \${VAR} references from the environment exactly as apply does, and checks every document against the services this CLI knows: fields, params, triggers, templates, and names unique across all documents. Each problem is printed as file:line:column: field: message. Exits 0 when every AREA is valid, 3 otherwise.

Connections are only checked to be named where a service needs one: whether they exist is known to the server (see \`area diff\`).`

  static override examples = [
    {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${VAR} syntax
      description: 'Check the example file (every ${VAR} in it has a default).',
      command: '<%= config.bin %> <%= command.id %> -f areas.example.yaml',
    },
    {
      description: 'Check every .yaml/.yml file of a directory and its subdirectories.',
      command: '<%= config.bin %> <%= command.id %> -f areas/ --recursive',
    },
    {
      description: 'Check generated YAML from stdin, with variables set for this run.',
      command:
        'DISCORD_WEBHOOK_URL=https://discord.example/hook ./render.sh | <%= config.bin %> <%= command.id %> -f -',
    },
    {
      description: 'In CI: machine-readable result; the exit code says whether it is valid.',
      command: '<%= config.bin %> <%= command.id %> -f areas/ --json > validation.json',
    },
  ]

  static override flags = {
    file: Flags.string({
      char: 'f',
      summary: 'AREA file, directory of *.yaml/*.yml files, or - for stdin. Repeat for several.',
      required: true,
      multiple: true,
    }),
    recursive: Flags.boolean({
      char: 'R',
      summary: 'Also read the subdirectories of the directories given with -f.',
      default: false,
    }),
  }

  async run(): Promise<void> {
    const inputs = this.flags.file
    if (inputs.includes(STDIN) && process.stdin.isTTY) {
      this.note('Reading AREA documents from stdin; end with Ctrl-D.')
    }
    const result = await validateFiles(inputs, createRegistry(builtinServices), process.env, {
      recursive: this.flags.recursive,
    })
    const output: ValidateOutput = {
      valid: result.valid,
      areas: result.areas.map(summarizeArea),
      issues: result.issues,
    }
    if (this.jsonOutput) {
      this.printJson(output)
    } else if (output.valid) {
      process.stdout.write(`${this.renderAreas(output.areas, result.files.length)}\n`)
    } else {
      process.stderr.write(`${this.renderIssues(output, result.files)}\n`)
    }
    if (!output.valid) this.exit(ExitCode.invalid)
  }

  private renderAreas(areas: AreaSummary[], fileCount: number): string {
    const c = this.colors
    const table = formatTable(
      ['NAME', 'ACTION', 'TRIGGER', 'REACTIONS', 'WHERE'],
      areas.map((a) => [
        a.enabled ? a.name : `${a.name} ${c.dim('(disabled)')}`,
        a.action,
        a.trigger,
        a.reactions.map((r) => `${r.id}: ${r.service}.${r.reaction}`).join(', '),
        c.dim(`${a.file}:${a.line}`),
      ]),
      { header: c.bold },
    )
    const count = `${areas.length} AREA${areas.length === 1 ? '' : 's'}`
    const files = `${fileCount} file${fileCount === 1 ? '' : 's'}`
    return `${table}\n\n${c.green('✓')} ${count} valid in ${files}.`
  }

  private renderIssues(output: ValidateOutput, files: readonly string[]): string {
    const c = this.errorColors
    const lines = output.issues.map((issue) => {
      const text = formatIssue(issue)
      const where = text.slice(0, text.indexOf(': '))
      return `${c.bold(where)}${text.slice(where.length)}`
    })
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
    const faultyFiles = new Set(output.issues.map((i) => i.file)).size
    // Every file named is in `files`, readable or not.
    const summary = `${plural(output.issues.length, 'problem')} in ${faultyFiles} of ${plural(files.length, 'file')}`
    const valid = output.areas.length
      ? `; ${plural(output.areas.length, 'other AREA')} ${output.areas.length === 1 ? 'is' : 'are'} valid`
      : ''
    return `${lines.join('\n')}\n\n${c.red('✗')} ${summary}${valid}.`
  }
}
