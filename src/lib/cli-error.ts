import type { Issue } from '../engine/errors.js'
import { ExitCode, type ExitCodeValue } from './exit-codes.js'

/** An error the CLI reports as is, with the exit code and stable code it names. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue
  readonly code: string
  readonly issues: Issue[] | undefined
  constructor(message: string, options: { exitCode?: ExitCodeValue; code?: string; issues?: Issue[] } = {}) {
    super(message)
    this.name = 'CliError'
    this.exitCode = options.exitCode ?? ExitCode.error
    this.code = options.code ?? 'error'
    this.issues = options.issues
  }
}
