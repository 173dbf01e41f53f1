import { writeFile } from 'node:fs/promises'
import { Flags } from '@oclif/core'
import { BaseCommand, CliError, jsonText } from '../lib/base-command.js'
import { helpText } from '../lib/help-text.js'
import { serviceRegistry } from '../plugins/service-registry.js'
import { areaJsonSchema } from '../spec/json-schema.js'

/** With --output, what was written; else the schema itself, which is JSON already. */
export type SchemaOutput = { output: string; bytes: number } | ReturnType<typeof areaJsonSchema>

export default class Schema extends BaseCommand<typeof Schema, SchemaOutput> {
  static override summary = 'Print the JSON Schema of the AREA file, for editors and other tools.'
  static override description = helpText(
    [
      'The schema is generated from the services this CLI knows: each action and reaction with its',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's own ${VAR} syntax
      'params, descriptions and examples; unknown keys are errors. Values may be ${VAR} references,',
      'and reaction params {{ … }} templates. It is JSON Schema draft-07, which yaml-language-server',
      "(VS Code's YAML extension, Neovim, Helix…) reads from a first line like:",
    ],
    ['  # yaml-language-server: $schema=./area.schema.json'],
    [
      '`area validate` checks more than a schema can (template references, cron expressions, names',
      'unique across files): keep it in CI.',
    ],
  )

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

  async run(): Promise<SchemaOutput> {
    const schema = areaJsonSchema(await serviceRegistry())
    const output = this.flags.output
    // On stdout the schema is the document, --json or not.
    if (!output) return schema
    const text = `${jsonText(schema)}\n`
    try {
      await writeFile(output, text)
    } catch (error) {
      throw new CliError(`cannot write ${output}: ${(error as Error).message}`, { code: 'write_failed' })
    }
    return { output, bytes: Buffer.byteLength(text) }
  }

  protected override render(result: SchemaOutput): string {
    const output = this.flags.output
    if (!output) return jsonText(result)
    return [
      `Wrote the AREA JSON Schema to ${output}.`,
      'Editors using yaml-language-server check AREA files against it when they start with:',
      `# yaml-language-server: $schema=${output}`,
    ].join('\n')
  }
}
