/** `area secrets set|remove NAME`: a name that cannot be a secret's is a usage error, sent nowhere. */
import { isSecretName, secretNameRule } from '../engine/secret-names.js'
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

export function checkSecretName(name: string): void {
  if (isSecretName(name)) return
  throw new CliError(`"${name}" is not a secret name: a name is ${secretNameRule}`, {
    exitCode: ExitCode.invalid,
    code: 'invalid_arguments',
  })
}
