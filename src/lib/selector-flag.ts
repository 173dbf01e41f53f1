/**
 * `-l, --selector`: a label selector in kubectl's syntax (src/spec/label-selector.ts), checked
 * by the command before anything is sent: a bad one is a usage error (exit 3).
 */
import { Flags } from '@oclif/core'
import { LabelSelectorError, parseLabelSelector } from '../spec/label-selector.js'
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

export function selectorFlag(summary: string) {
  return Flags.string({ char: 'l', summary, helpValue: '<selector>' })
}

/** A selector that does not parse is a usage error (exit 3) on one line, before any request. */
export function checkSelector(selector: string | undefined): void {
  if (selector === undefined) return
  try {
    parseLabelSelector(selector)
  } catch (error) {
    if (!(error instanceof LabelSelectorError)) throw error
    throw new CliError(error.message, { exitCode: ExitCode.invalid, code: 'invalid_arguments' })
  }
}

/**
 * `apply` and `diff`: -l only narrows --prune. (oclif's `dependsOn` counts a boolean's default
 * false as given, so the check is here.)
 */
export function requirePruneForSelector(flags: { prune: boolean; selector?: string }): void {
  checkSelector(flags.selector)
  if (flags.selector !== undefined && !flags.prune)
    throw new CliError('-l/--selector only narrows --prune: add --prune, or leave -l out', {
      exitCode: ExitCode.invalid,
      code: 'invalid_arguments',
    })
}
