import { existsSync, readdirSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand, CliError } from '../../lib/base-command.js'
import { ExitCode } from '../../lib/exit-codes.js'
import { helpText } from '../../lib/help-text.js'
import { serviceIdPattern } from '../../plugins/check-service.js'
import { scaffoldFiles } from '../../plugins/scaffold.js'

export interface InitOutput {
  service: string
  dir: string
  files: string[]
}

export default class ServicesInit extends BaseCommand<typeof ServicesInit, InitOutput> {
  static override summary = 'Create a service plugin: a folder with a working service, its test and a README.'
  static override description = helpText([
    'The service uses the SDK the built-in services use (area/sdk): one polling action and one',
    'reaction over HTTP, to edit. `npm test` in the folder runs them against a fake API on',
    '127.0.0.1. Name the folder in AREA_PLUGINS to load it in `area serve` and the offline commands.',
  ])

  static override examples = [
    {
      description: 'A plugin in ./plugins/forge, then the catalog with it.',
      command:
        '<%= config.bin %> <%= command.id %> forge --dir plugins/forge && AREA_PLUGINS=./plugins/forge <%= config.bin %> services describe forge',
    },
  ]

  static override args = {
    id: Args.string({
      description: 'The service id AREA files will name: lowercase letters, digits and _.',
      required: true,
    }),
  }

  static override flags = {
    dir: Flags.string({ summary: 'Folder to create (default: ./<id>); must be absent or empty.' }),
  }

  async run(): Promise<InitOutput> {
    const id = this.args.id
    if (!serviceIdPattern.test(id)) {
      throw new CliError(
        `"${id}" cannot be a service id: use lowercase letters, digits and _, starting with a letter (e.g. forge, acme_jira)`,
        { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
      )
    }
    const dir = resolve(this.flags.dir ?? id)
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new CliError(`${dir} is not empty: choose another folder with --dir, or empty it`, {
        exitCode: ExitCode.invalid,
        code: 'invalid_arguments',
      })
    }
    await mkdir(dir, { recursive: true })
    const files = scaffoldFiles(id, this.config.version)
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
    return { service: id, dir, files: Object.keys(files) }
  }

  protected override render(output: InitOutput): string {
    return [
      `Created the service "${output.service}" in ${output.dir}: ${output.files.join(', ')}`,
      `Test it:  cd ${output.dir} && npm install && npm test`,
      `Load it:  AREA_PLUGINS=${output.dir} area services describe ${output.service}`,
    ].join('\n')
  }
}
