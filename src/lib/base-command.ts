/**
 * The base of every command: owns `--json`, printing, errors and exit codes, so commands stay
 * thin: parse flags, call src/lib or the client, return the result.
 *
 * The contract (Salesforce's SfCommand<T> is the model):
 * - `run()` returns the command's result, typed by the second type parameter:
 *   `class Whoami extends ApiCommand<typeof Whoami, WhoamiOutput>`. A command prints nothing itself;
 *   the base prints the result once `run()` returns: with `--json`, `toSuccessJson(result)` (the
 *   result itself unless a command overrides it) as indented JSON on stdout; otherwise the text
 *   `render(result)` returns, on stdout, with a final newline.
 * - `render(result)` shows the result to people: colours from `this.colors`, hints on stderr with
 *   `note()`. It may pick among formats (`get -o yaml`), and return nothing when there is nothing
 *   to print (after a note such as "You have no AREAs yet"). When its text must come before a
 *   note (`tokens create`: the token, then "store it now"), it writes it with `out()` and returns
 *   nothing. A command with a result and no render is a bug: the base throws.
 * - `toSuccessJson(result)`: the `--json` document, when render needs more than the document
 *   holds (`validate` keeps the list of files read for its summary line).
 * - `exitCodeOf(result)`: the exit code once the result is printed, 0 unless overridden (`diff`:
 *   2 when something would change; `validate`: 3 when a file is invalid).
 * - A command whose output is a stream or a side effect (`logs`, `dev`, `serve`) has the result
 *   type `void`: it writes its lines while it runs, with `out()` (JSON lines with `--json`, see
 *   `jsonOutput`), and the base prints nothing after it.
 * - Failures are thrown, never printed: a CliError (message, exit code, stable `code`, issues),
 *   an AreaError or ValidationError, or anything else (exit 1, stack with DEBUG=1).
 *
 * Streams and codes:
 * - stdout carries what a command produces (data, or the JSON document with `--json`); notes,
 *   progress and errors go to stderr, so `area … --json | jq` always reads clean JSON.
 * - Errors: `Error: <message>` for people; with `--json`, one line on stderr:
 *   `{ "error": { "code", "message", "issues"? } }`, `code` being stable for scripts.
 * - Exit codes (exit-codes.ts): 0 ok, 1 error, 2 changes found (`diff`), 3 invalid input (bad
 *   flags or arguments, invalid files, and the daemon's configuration errors: `dev` and `serve`
 *   just let them through), 4 not authenticated, 130 Ctrl-C or Ctrl-D at a prompt (quietly).
 * - Colours only on a terminal and never with NO_COLOR (colors.ts); no prompt without a
 *   terminal (tty.ts).
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core'
import { AreaError, type Issue, ValidationError } from '../engine/errors.js'
import { CliError } from './cli-error.js'
import { type Colors, colorsFor } from './colors.js'
import { commandName, withCommandName } from './command-name.js'
import { ExitCode, type ExitCodeValue } from './exit-codes.js'
import { FlagValueError } from './flag-value-error.js'
import { terminalJson, terminalText } from './terminal-text.js'

export { CliError } from './cli-error.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** The `--json` error document. */
export interface ErrorDocument {
  error: { code: string; message: string; issues?: Issue[] }
}

/** Stable codes of AreaErrors that mean something other than a plain failure. */
const exitCodesByErrorCode: Readonly<Record<string, ExitCodeValue>> = {
  validation_failed: ExitCode.invalid,
  invalid_input: ExitCode.invalid,
  // The daemon's ConfigError (`dev`, `serve`): an environment variable to set or fix.
  invalid_configuration: ExitCode.invalid,
  // A plugin AREA_PLUGINS names that fails to load or declares an invalid service.
  invalid_plugin: ExitCode.invalid,
  unauthenticated: ExitCode.unauthenticated,
}

/**
 * The JSON that `--json` prints (and `get -o json`): indented, for people reading it too, with
 * the characters a terminal would act on escaped (terminal-text.ts).
 */
export function jsonText(data: unknown): string {
  return terminalJson(data, 2)
}

export abstract class BaseCommand<T extends typeof Command, R = void> extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print machine-readable JSON.', default: false, helpGroup: 'GLOBAL' }),
  }

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  /** Every positional argument, for commands with `strict = false` (`get a b`: area-batch.ts). */
  protected positionals: string[] = []

  /** The command's result, printed by the base; `void` for commands that stream their output. */
  public abstract override run(): Promise<R>

  /** The result for people: stdout's text, or nothing when render wrote it or there is none. */
  protected render(_result: R): string | undefined {
    throw new Error(`${this.id ?? 'this command'} returned a result but has no render()`)
  }

  /** The `--json` document of a result: the result itself. */
  protected override toSuccessJson(result: R): unknown {
    return result
  }

  /** The exit code once a result is printed. */
  protected exitCodeOf(_result: R): ExitCodeValue {
    return ExitCode.ok
  }

  public override async init(): Promise<void> {
    await super.init()
    try {
      const { args, flags, argv } = await this.parse({
        flags: this.ctor.flags,
        baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
        args: this.ctor.args,
        strict: this.ctor.strict,
      })
      this.flags = flags as CommandFlags<T>
      this.args = args as CommandArgs<T>
      this.positionals = argv as string[]
    } catch (error) {
      // Whatever fails while reading flags and arguments (unknown flag, missing value, a
      // flag's own parser) is invalid input, and says where to look.
      const message =
        error instanceof FlagValueError ? error.plain : error instanceof Error ? error.message : String(error)
      throw new CliError(message.includes('--help') ? message : `${message}\nSee \`${this.usage()}\`.`, {
        exitCode: ExitCode.invalid,
        code: 'invalid_arguments',
      })
    }
  }

  /** oclif's run loop, then the result printed; a failure while printing is reported like any. */
  protected override async _run<X>(): Promise<X> {
    // A failure of init() or run() went through catch() already, which turned it into an exit.
    const result = await super._run<R>()
    try {
      this.show(result)
    } catch (error) {
      await this.catch(error as Error)
    }
    return result as unknown as X
  }

  private show(result: R): void {
    if (result === undefined) return
    if (this.jsonOutput) this.printJson(this.toSuccessJson(result))
    else this.out(this.render(result) ?? '')
    const exitCode = this.exitCodeOf(result)
    if (exitCode !== ExitCode.ok) this.exit(exitCode)
  }

  /** Whether `--json` was asked for; also known when flags failed to parse. */
  protected get jsonOutput(): boolean {
    if (this.flags) return this.flags.json === true
    const end = this.argv.indexOf('--')
    return (end < 0 ? this.argv : this.argv.slice(0, end)).includes('--json')
  }

  /** Colours for stdout, off with --json. */
  protected get colors(): Colors {
    return colorsFor(this.jsonOutput ? {} : process.stdout)
  }

  /** Colours for stderr. */
  protected get errorColors(): Colors {
    return colorsFor(this.jsonOutput ? {} : process.stderr)
  }

  /** Text on stdout, ending with a newline; nothing for an empty text. */
  protected out(text: string): void {
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /** A note for people on stderr (progress, hints); silent with `--json`. */
  protected note(text: string): void {
    if (!this.jsonOutput) process.stderr.write(withCommandName(text.endsWith('\n') ? text : `${text}\n`))
  }

  private printJson(data: unknown): void {
    process.stdout.write(`${jsonText(data)}\n`)
  }

  private usage(): string {
    return [commandName(), this.id?.replaceAll(':', ' '), '--help'].filter(Boolean).join(' ')
  }

  protected override async catch(
    error: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<void> {
    // Output may still be in flight on a pipe; oclif ends the process right after this.
    await flushStandardStreams()
    // `this.exit(code)` and oclif's own exits (help, version) carry their code already.
    if (error instanceof Errors.ExitError) throw error
    // Ctrl-C or Ctrl-D at a prompt is the user leaving, not a failure: no message.
    if (isPromptExit(error)) this.exit(ExitCode.interrupted)
    const failure = describeError(error)
    this.reportError(failure)
    await flushStandardStreams()
    this.exit(failure.exitCode)
  }

  protected reportError(failure: Failure): void {
    if (this.jsonOutput) {
      const document: ErrorDocument = {
        error: {
          code: failure.code,
          message: failure.message,
          ...(failure.issues ? { issues: failure.issues } : {}),
        },
      }
      process.stderr.write(`${terminalJson(document)}\n`)
      return
    }
    const colors = this.errorColors
    const listed = Boolean(failure.issues?.length) && !failure.message.endsWith(':')
    // Messages often quote the server or a remote service: escaped before our colours.
    const message = withCommandName(terminalText(failure.message, { multiline: true }))
    const lines = [`${colors.red('Error:')} ${message}${listed ? ':' : ''}`]
    if (failure.issues?.length) {
      for (const issue of failure.issues)
        lines.push(`  ${terminalText(issue.path || '/')}: ${withCommandName(terminalText(issue.message))}`)
    }
    if (failure.stack && process.env.DEBUG) lines.push(colors.dim(failure.stack))
    process.stderr.write(`${lines.join('\n')}\n`)
  }
}

export interface Failure {
  code: string
  message: string
  exitCode: ExitCodeValue
  issues?: Issue[]
  stack?: string
}

/** How an error is reported: its stable code, message, issues and exit code. */
export function describeError(error: Error & { oclif?: { exit?: number } }): Failure {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, exitCode: error.exitCode, issues: error.issues }
  }
  if (error instanceof ValidationError) {
    // Its message joins the issues on one line; people get them one per line instead.
    return { code: error.code, message: 'invalid input', exitCode: ExitCode.invalid, issues: error.issues }
  }
  if (error instanceof AreaError) {
    return {
      code: error.code,
      message: error.message,
      exitCode: exitCodesByErrorCode[error.code] ?? ExitCode.error,
    }
  }
  // `this.error(…)` and other oclif errors: their exit code, unless it would read as "changes".
  const oclifExit = error.oclif?.exit
  const exitCode = isExitCode(oclifExit) && oclifExit !== ExitCode.changes ? oclifExit : ExitCode.error
  // Anything else is a bug or an environment problem: keep the stack for DEBUG=1.
  return { code: 'error', message: error.message, exitCode, stack: error.stack }
}

/** @inquirer/prompts' ExitPromptError, known by name: importing it would load the prompts. */
function isPromptExit(error: Error): boolean {
  return error.name === 'ExitPromptError'
}

function isExitCode(value: unknown): value is ExitCodeValue {
  return typeof value === 'number' && (Object.values(ExitCode) as number[]).includes(value)
}

function flushStandardStreams(): Promise<void> {
  const flush = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (stream.writableLength === 0) resolve()
      else stream.write('', () => resolve())
    })
  return Promise.all([flush(process.stdout), flush(process.stderr)]).then(() => undefined)
}
