import { writeFile } from 'node:fs/promises'
import { Flags } from '@oclif/core'
import { createRegistry } from '../engine/registry.js'
import { BaseCommand, CliError } from '../lib/base-command.js'
import { builtinServices } from '../services/index.js'
import { areaJsonSchema } from '../spec/json-schema.js'

export default class Schema extends BaseCommand<typeof Schema> {
  static override summary = 'Print the JSON Schema of the AREA file, for editors and other tools.'
  static override description =
    `The schema is generated from the services this CLI knows: each action and reaction with its params, descriptions and examples; unknown keys are errors. Values may be \${VAR} references, and reaction params {{ … }} templates. It is JSON Schema draft-07, which yaml-language-server (VS Code's YAML extension, Neovim, Helix…) reads from a first line like:

  # yaml-language-server: $schema=./area.schema.json

\`area validate\` checks more than a schema can (template references, cron expressions, names unique across files): keep it in CI.`

  static override examples = [
    {
      description: 'Save the schema next to your AREA files.',
      command: '<%= config.bin %> <%= command.id %> > area.schema.json',
    },
    {
      description: 'The same, naming the file.',
      command: '<%= config.bin %> <%= command.id %> --output area.schema.json',
    },
    {
      description: 'List the services the schema knows.',
      command:
        "<%= config.bin %> <%= command.id %> | jq '.properties.spec.properties.action.properties.service.anyOf[0].enum'",
    },
  ]

  static override flags = {
    output: Flags.string({
      summary: 'Write the schema to this file instead of stdout.',
      helpValue: '<file>',
    }),
  }

  async run(): Promise<void> {
    const schema = areaJsonSchema(createRegistry(builtinServices))
    const text = `${JSON.stringify(schema, null, 2)}\n`
    const output = this.flags.output
    if (!output) {
      // The schema is JSON already: --json changes nothing.
      process.stdout.write(text)
      return
    }
    try {
      await writeFile(output, text)
    } catch (error) {
      throw new CliError(`cannot write ${output}: ${(error as Error).message}`, { code: 'write_failed' })
    }
    this.print({ output, bytes: Buffer.byteLength(text) }, () =>
      [
        `Wrote the AREA JSON Schema to ${output}.`,
        'Editors using yaml-language-server check AREA files against it when they start with:',
        `# yaml-language-server: $schema=${output}`,
      ].join('\n'),
    )
  }
}
