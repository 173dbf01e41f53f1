/**
 * The base of every command: owns `--json`, printing, errors and exit codes, so commands stay
 * thin (parse flags, call src/lib or the client, print).
 */
import { Command, Flags, type Interfaces } from '@oclif/core'
import { AreaError, ValidationError } from '../engine/errors.js'
import { ExitCode, type ExitCodeValue } from './exit-codes.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** An error the CLI reports as is, with the exit code it names. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue
  readonly code: string
  constructor(message: string, options: { exitCode?: ExitCodeValue; code?: string } = {}) {
    super(message)
    this.exitCode = options.exitCode ?? ExitCode.error
    this.code = options.code ?? 'error'
  }
}

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print machine-readable JSON.', default: false, helpGroup: 'GLOBAL' }),
  }

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>

  public override async init(): Promise<void> {
    await super.init()
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
  }

  /** Prints `data` as JSON with `--json`, else what `human` renders. */
  protected print(data: unknown, human: () => string): void {
    if (this.flags.json) {
      process.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
    } else {
      const text = human()
      if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
    }
  }

  protected override async catch(
    error: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<void> {
    // oclif's own exits (help, version, parse errors) keep their behaviour.
    if (error.oclif?.exit !== undefined && !(error instanceof CliError)) {
      if (error.oclif.exit === 0) return
      if (error.name === 'Error' || error.message.includes('flag') || error.message.includes('argument')) {
        this.reportError('invalid_arguments', error.message)
        this.exit(ExitCode.invalid)
      }
      throw error
    }
    const { code, exitCode, issues } = describeError(error)
    this.reportError(code, error.message, issues)
    this.exit(exitCode)
  }

  private reportError(code: string, message: string, issues?: { path: string; message: string }[]): void {
    if (this.flags?.json) {
      process.stderr.write(`${JSON.stringify({ error: { code, message, ...(issues ? { issues } : {}) } })}\n`)
    } else {
      process.stderr.write(`Error: ${message}\n`)
    }
  }
}

function describeError(error: Error): {
  code: string
  exitCode: ExitCodeValue
  issues?: { path: string; message: string }[]
} {
  if (error instanceof CliError) return { code: error.code, exitCode: error.exitCode }
  if (error instanceof ValidationError)
    return { code: error.code, exitCode: ExitCode.invalid, issues: error.issues }
  if (error instanceof AreaError) return { code: error.code, exitCode: ExitCode.error }
  return { code: 'error', exitCode: ExitCode.error }
}
