import { writeFile } from 'node:fs/promises'
import { Args, Flags } from '@oclif/core'
import { BaseCommand, CliError } from '../lib/base-command.js'
import { ExitCode, type ExitCodeValue } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { serviceRegistry } from '../plugins/service-registry.js'
import { junitXml } from '../testing/junit.js'
import { renderSuite } from '../testing/report-text.js'
import { runSuite, type SuiteResult } from '../testing/suite.js'

export default class Test extends BaseCommand<typeof Test, SuiteResult> {
  static override summary = 'Run AREAs offline on an event, with their reactions mocked: no server, no login.'
  static override description = helpText(
    [
      'Runs each AREA of the files in this process with the engine that runs it on a server: the',
      "trigger's filter and `when` decide whether the event fires, each reaction's `when`, `needs`,",
      '`for_each` and `continue_on_error` whether and how it runs; but no reaction is called: each',
      'answers with its mock or its declared example output. Prints, per reaction in order, whether',
      'it would run (or why not), its rendered params (secrets as <secret:…>) and its for_each items.',
    ],
    [
      'Test files (*.test.yaml, read from the same files and folders) name an AREA and give cases:',
      'an event, mocks by reaction id (an output, or an error to make it fail), and expectations on',
      'which reactions run and with what params. An AREA no test case covers runs on its action’s',
      'example event, or on --event. Exits 0 when every run passes, 1 when an expectation fails (or',
      'a run without expectations fails), 3 on invalid input (file:line:column for each problem).',
    ],
  )

  static override examples = [
    {
      description: 'Every AREA of the example file on its action’s example event.',
      command: '<%= config.bin %> <%= command.id %> -f areas.example.yaml',
    },
    {
      description: 'The AREA files and test files of a folder; a JUnit report for CI.',
      command: '<%= config.bin %> <%= command.id %> -f areas/ --junit area-test.xml',
    },
    {
      description: 'Replay a real event: write it from the logs, then run the AREAs on it.',
      command:
        '<%= config.bin %> logs 0b5e7c1e-2f4a-4c3b-9d8e-6a1f2b3c4d5e --event > event.json && <%= config.bin %> <%= command.id %> -f areas/relay.yaml --event event.json',
    },
  ]

  static override args = {
    file: Args.string({
      description: 'AREA files, test files or directories, as with -f.',
      required: false,
      ignoreStdin: true,
    }),
  }
  static override strict = false
  static override flags = {
    file: Flags.string({
      char: 'f',
      summary: 'AREA file, *.test.yaml file or directory of them. Repeat for several.',
      multiple: true,
    }),
    recursive: Flags.boolean({
      char: 'R',
      summary: 'Also read the subdirectories of the directories given.',
      default: false,
    }),
    event: Flags.string({
      summary: 'A JSON file holding the event (e.g. from `area logs <event-id> --event`) for the AREAs.',
      exclusive: ['example'],
    }),
    example: Flags.boolean({
      summary: "Also run every AREA that has test cases on its action's example event.",
      default: false,
    }),
    junit: Flags.string({ summary: 'Write the results as JUnit XML to this file, for CI.' }),
  }

  async run(): Promise<SuiteResult> {
    const inputs = [...this.positionals, ...(this.flags.file ?? [])]
    if (inputs.length === 0)
      throw new CliError('name the AREA files to test: `area test -f FILE|DIR`', {
        exitCode: ExitCode.invalid,
        code: 'invalid_arguments',
      })
    if (inputs.includes('-'))
      throw new CliError('`area test` reads files, not stdin: name the AREA files and test files', {
        exitCode: ExitCode.invalid,
        code: 'invalid_arguments',
      })
    const result = await runSuite(
      {
        inputs,
        recursive: this.flags.recursive,
        example: this.flags.example,
        env: process.env,
        ...(this.flags.event ? { eventFile: this.flags.event } : {}),
      },
      await serviceRegistry(),
    )
    if (this.flags.junit) {
      try {
        await writeFile(this.flags.junit, junitXml(result))
      } catch (error) {
        throw new CliError(`--junit: cannot write ${this.flags.junit}: ${(error as Error).message}`, {
          exitCode: ExitCode.invalid,
          code: 'invalid_arguments',
        })
      }
    }
    return result
  }

  protected override exitCodeOf(result: SuiteResult): ExitCodeValue {
    return result.passed ? ExitCode.ok : ExitCode.error
  }

  protected override render(result: SuiteResult): string {
    return renderSuite(result, this.colors)
  }
}
