/**
 * `--owner` and `--take-ownership` for `apply` and `diff` (scoped GitOps; the rule is the
 * server's, src/features/areas/ownership.ts). `AREA_OWNER` sets the owner once for a CI job. A
 * name the server would refuse is a usage error (exit 3) before anything is read or sent.
 */
import { Flags } from '@oclif/core'
import { ownerNameProblem } from '../features/areas/ownership.js'
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

export const ownerFlags = {
  owner: Flags.string({
    summary: 'Who manages these AREAs (e.g. infra-ci): recorded on them; --prune deletes only theirs.',
    env: 'AREA_OWNER',
    helpValue: '<name>',
  }),
  'take-ownership': Flags.boolean({
    summary: 'Move AREAs owned by another owner to this one instead of refusing them.',
    default: false,
  }),
}

/** What the apply request says about ownership. */
export function ownershipRequest(flags: { owner?: string; 'take-ownership': boolean }): {
  owner?: string
  takeOwnership?: boolean
} {
  if (flags.owner !== undefined) {
    const problem = ownerNameProblem(flags.owner)
    if (problem)
      throw new CliError(`--owner: ${problem}`, { exitCode: ExitCode.invalid, code: 'invalid_arguments' })
  }
  return {
    ...(flags.owner === undefined ? {} : { owner: flags.owner }),
    ...(flags['take-ownership'] ? { takeOwnership: true } : {}),
  }
}
