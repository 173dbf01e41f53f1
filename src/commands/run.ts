import { readFile } from 'node:fs/promises'
import { Flags } from '@oclif/core'
import { ApiCommand } from '../lib/api-command.js'
import type { RunResult } from '../lib/api-types.js'
import { areaArgs } from '../lib/area-args.js'
import { areaPath } from '../lib/areas-api.js'
import { CliError } from '../lib/cli-error.js'
import { commandName } from '../lib/command-name.js'
import { ExitCode } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { readStdin } from '../lib/stdin.js'

export interface RunOutput extends RunResult {
  name: string
}

export default class Run extends ApiCommand<typeof Run, RunOutput> {
  static override summary = 'Fire an AREA now with a given event.'
  static override description = helpText([
    'The event is a JSON object from --payload (a file, or - for stdin); without it, the',
    "action's example event (see `area services describe`). The event is recorded and queued like a",
    'real one: follow it with `area logs <name>`.',
  ])

  static override examples = [
    {
      description: "Fire with the action's example event.",
      command: '<%= config.bin %> <%= command.id %> webhook-relay',
    },
    {
      description: 'Fire with an event from a file.',
      command: '<%= config.bin %> <%= command.id %> paid-invoices --payload event.json',
    },
    {
      description: 'From stdin.',
      command: `echo '{"type":"invoice.paid"}' | <%= config.bin %> <%= command.id %> paid-invoices --payload -`,
    },
  ]

  static override args = areaArgs
  static override flags = {
    payload: Flags.string({
      char: 'p',
      summary: 'JSON file holding the event, or - for stdin.',
      helpValue: '<file>',
    }),
  }

  async run(): Promise<RunOutput> {
    const event = this.flags.payload === undefined ? undefined : await readEvent(this.flags.payload)
    const client = await this.client()
    const answer = await client.post<RunResult>(
      `${areaPath(this.args.name)}/run`,
      event === undefined ? {} : { event },
    )
    return { name: this.args.name, ...answer }
  }

  protected override render({ name, hookLogId }: RunOutput): string {
    return [
      `${this.colors.green('✓')} Fired ${name} (event ${hookLogId}).`,
      this.colors.dim(`Follow it with: ${commandName()} logs ${name} --follow`),
    ].join('\n')
  }
}

async function readEvent(source: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read the payload ${source}: ${(error as Error).message}`, {
      exitCode: ExitCode.invalid,
      code: 'payload_unreadable',
    })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CliError(`the payload ${source} is not valid JSON: ${(error as Error).message}`, {
      exitCode: ExitCode.invalid,
      code: 'payload_invalid',
    })
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(`the payload ${source} must be a JSON object (the event)`, {
      exitCode: ExitCode.invalid,
      code: 'payload_invalid',
    })
  }
  return value as Record<string, unknown>
}
