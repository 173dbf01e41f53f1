import { Args, Flags } from '@oclif/core'
import { fileFlags, validateAreaFiles } from '../lib/area-files.js'
import { BaseCommand, CliError } from '../lib/base-command.js'
import { ExitCode, type ExitCodeValue } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { formatTable } from '../lib/table.js'
import { type AreaSummary, summarizeArea } from '../spec/area-summary.js'
import { type FileIssue, formatIssue } from '../spec/file-issue.js'

/** The `--json` document; its shape is stable. */
export interface ValidateOutput {
  valid: boolean
  areas: AreaSummary[]
  issues: FileIssue[]
  /** Likely mistakes that may be meant (type checks): they do not make a file invalid. */
  warnings: FileIssue[]
}

/** The document, and the files read, which people see counted. */
export interface ValidateResult extends ValidateOutput {
  files: readonly string[]
}

export default class Validate extends BaseCommand<typeof Validate, ValidateResult> {
  static override summary = 'Check AREA files offline: no server, no login.'
  static override description = helpText(
    [
      'Reads the AREA files (a file, a directory of *.yaml/*.yml files, or - for stdin; given as',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${VAR} syntax
      'arguments or with -f, which may be repeated), resolves ${VAR} references from the environment exactly as apply does, and checks',
      'every document against the services this CLI knows: fields, params, triggers, templates, and',
      'names unique across all documents. Template paths and when/for_each expressions are checked',
      'against the shapes of the event and of the reactions they read. Each problem is printed as',
      'file:line:column: field: message; a likely mistake that may be meant is printed as a warning',
      '(file:line:column: warning: …), which does not fail. Exits 0 when every AREA is valid, 3 otherwise.',
    ],
    [
      'Connections are only checked to be named where a service needs one: whether they exist is',
      'known to the server (see `area diff`).',
    ],
  )

  static override examples = [
    {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${VAR} syntax
      description: 'Check the example file (every ${VAR} in it has a default).',
      command: '<%= config.bin %> <%= command.id %> -f areas.example.yaml',
    },
    {
      description: 'Several files as arguments, as a shell glob gives them.',
      command: '<%= config.bin %> <%= command.id %> areas/*.yaml',
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

  static override args = {
    file: Args.string({
      description: 'AREA files or directories, as with -f (e.g. a shell glob).',
      required: false,
      // oclif would otherwise read stdin into it when no FILE is given: `-` names stdin here.
      ignoreStdin: true,
    }),
  }
  // Any number of FILE arguments (the args above describe the first for --help).
  static override strict = false
  // Files may come as arguments instead: -f is optional here, unlike apply's.
  static override flags = {
    ...fileFlags,
    file: Flags.string({
      char: 'f',
      summary: 'AREA file, directory of *.yaml/*.yml files, or - for stdin. Repeat for several.',
      multiple: true,
    }),
  }

  async run(): Promise<ValidateResult> {
    const { argv } = await this.parse(Validate)
    const inputs = [...(argv as string[]), ...(this.flags.file ?? [])]
    if (inputs.length === 0)
      throw new CliError('name the AREA files to check: `area validate FILE…` or `area validate -f FILE`', {
        exitCode: ExitCode.invalid,
        code: 'invalid_arguments',
      })
    const result = await validateAreaFiles(inputs, this.flags.recursive, (text) => this.note(text))
    return {
      valid: result.valid,
      areas: result.areas.map(summarizeArea),
      issues: result.issues,
      warnings: result.warnings,
      files: result.files,
    }
  }

  protected override toSuccessJson({ valid, areas, issues, warnings }: ValidateResult): ValidateOutput {
    return { valid, areas, issues, warnings }
  }

  protected override exitCodeOf(result: ValidateResult): ExitCodeValue {
    return result.valid ? ExitCode.ok : ExitCode.invalid
  }

  /** A table of the AREAs on stdout; the problems on stderr, like any error. */
  protected override render(result: ValidateResult): string | undefined {
    if (result.valid) return this.renderAreas(result.areas, result.files.length)
    this.note(this.renderIssues(result))
    return undefined
  }

  private renderAreas(areas: AreaSummary[], fileCount: number): string {
    const c = this.colors
    const table = formatTable(
      ['NAME', 'ACTION', 'TRIGGER', 'REACTIONS', 'WHERE'],
      areas.map((a) => [
        a.enabled ? a.name : `${a.name} ${c.dim('(disabled)')}`,
        a.action,
        a.trigger,
        a.reactions
          .map((r) => `${r.id}: ${r.service}.${r.reaction}${r.phase === 'on_failure' ? ' (on failure)' : ''}`)
          .join(', '),
        c.dim(`${a.file}:${a.line}`),
      ]),
      { header: c.bold },
    )
    const count = `${areas.length} AREA${areas.length === 1 ? '' : 's'}`
    const files = `${fileCount} file${fileCount === 1 ? '' : 's'}`
    return `${table}\n\n${c.green('✓')} ${count} valid in ${files}.`
  }

  private renderIssues({ issues, areas, files }: ValidateResult): string {
    const c = this.errorColors
    const lines = issues.map((issue) => {
      const text = formatIssue(issue)
      const where = text.slice(0, text.indexOf(': '))
      return `${c.bold(where)}${text.slice(where.length)}`
    })
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
    const faultyFiles = new Set(issues.map((i) => i.file)).size
    // Every file named is in `files`, readable or not.
    const summary = `${plural(issues.length, 'problem')} in ${faultyFiles} of ${plural(files.length, 'file')}`
    const valid = areas.length
      ? `; ${plural(areas.length, 'other AREA')} ${areas.length === 1 ? 'is' : 'are'} valid`
      : ''
    return `${lines.join('\n')}\n\n${c.red('✗')} ${summary}${valid}.`
  }
}
