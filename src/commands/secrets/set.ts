import { Args } from '@oclif/core'
import type { Static } from '@sinclair/typebox'
import type { SecretSchema } from '../../contract/secrets.js'
import { secretNameRule } from '../../engine/secret-names.js'
import { ApiCommand } from '../../lib/api-command.js'
import { CliError } from '../../lib/cli-error.js'
import { ExitCode } from '../../lib/exit-codes.js'
import { helpText } from '../../lib/help-text.js'
import { checkSecretName } from '../../lib/secret-name.js'
import { readStdin } from '../../lib/stdin.js'
import { isInteractive } from '../../lib/tty.js'

type Secret = Static<typeof SecretSchema>

export interface SetSecretOutput extends Secret {
  outcome: 'created' | 'updated'
}

export default class SecretsSet extends ApiCommand<typeof SecretsSet, SetSecretOutput> {
  static override summary = 'Store a secret (or replace its value) that AREAs read as {{ secrets.NAME }}.'
  static override description = helpText(
    [
      'The value is read from stdin when something is piped in (all of it, without its final line',
      'end), or asked for without echo on a terminal; it is never a flag, which shell history would',
      'keep. It is stored encrypted, only the worker reads it, and it is never shown again: logs',
      'show <secret:FINGERPRINT> in its place.',
    ],
    [`A name is ${secretNameRule}.`],
  )
  static override examples = [
    {
      description: 'From an environment variable.',
      command: 'printenv API_KEY | <%= config.bin %> <%= command.id %> API_KEY',
    },
    {
      description: 'A file, such as a key (its final newline is not part of the value).',
      command: '<%= config.bin %> <%= command.id %> DEPLOY_KEY < deploy_key.pem',
    },
    {
      description: 'On a terminal: asked for, without echo.',
      command: '<%= config.bin %> <%= command.id %> API_KEY',
    },
  ]

  static override args = {
    name: Args.string({ description: 'The secret name, e.g. API_KEY.', required: true }),
  }

  async run(): Promise<SetSecretOutput> {
    const { name } = this.args
    checkSecretName(name)
    const value = await readValue(name)
    const client = await this.client()
    const secret = await client.put<Secret>(`/v1/secrets/${encodeURIComponent(name)}`, { value })
    // The API answers 201 for a new secret and 200 for a new value; both dates are equal only then.
    return { ...secret, outcome: secret.createdAt === secret.updatedAt ? 'created' : 'updated' }
  }

  protected override render(secret: SetSecretOutput): string {
    return `${this.colors.green('+')} ${secret.outcome} secret ${secret.name}: AREAs read it as {{ secrets.${secret.name} }}`
  }
}

/** Piped stdin (all of it, less one final line end), else a prompt without echo on a terminal. */
async function readValue(name: string): Promise<string> {
  let value: string
  if (!process.stdin.isTTY) {
    value = (await readStdin()).replace(/\r?\n$/, '')
  } else if (isInteractive()) {
    const { password } = await import('@inquirer/prompts')
    value = await password(
      { message: `Value of ${name}:`, mask: true, validate: (text) => text !== '' || 'required' },
      { output: process.stderr },
    )
  } else {
    value = ''
  }
  if (value === '') {
    throw new CliError(
      `no value for ${name}: pipe it on stdin, e.g. \`printenv ${name} | area secrets set ${name}\`, or run the command on a terminal to type it`,
      { exitCode: ExitCode.invalid, code: 'empty_stdin' },
    )
  }
  return value
}
