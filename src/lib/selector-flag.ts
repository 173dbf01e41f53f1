/**
 * `-l, --selector`: a label selector in kubectl's syntax (src/spec/label-selector.ts), checked
 * while the flags are read, so a bad one is a usage error (exit 3) before anything is sent.
 */
import { Flags } from '@oclif/core'
import { parseLabelSelector } from '../spec/label-selector.js'
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

export function selectorFlag(summary: string) {
  return Flags.string({
    char: 'l',
    summary,
    helpValue: '<selector>',
    parse: async (input) => {
      parseLabelSelector(input)
      return input
    },
  })
}

/**
 * `apply` and `diff`: -l only narrows --prune. (oclif's `dependsOn` counts a boolean's default
 * false as given, so the check is here.)
 */
export function requirePruneForSelector(flags: { prune: boolean; selector?: string }): void {
  if (flags.selector !== undefined && !flags.prune)
    throw new CliError('-l/--selector only narrows --prune: add --prune, or leave -l out', {
      exitCode: ExitCode.invalid,
      code: 'invalid_arguments',
    })
}
