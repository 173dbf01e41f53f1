import { Args } from '@oclif/core'
import { ApiCommand } from '../../lib/api-command.js'
import { confirmOrFail } from '../../lib/confirm.js'
import { helpText } from '../../lib/help-text.js'
import { type Removal, removalFlags, removalLine } from '../../lib/removal.js'
import { checkSecretName } from '../../lib/secret-name.js'

export default class SecretsRemove extends ApiCommand<typeof SecretsRemove, Removal> {
  static override summary = 'Remove a secret.'
  static override description = helpText([
    'AREAs that read it are not stopped: their next run fails, naming the secret to set. Asks for',
    'confirmation on a terminal; elsewhere --yes is required.',
  ])
  static override examples = [
    { description: 'Remove, after confirming.', command: '<%= config.bin %> <%= command.id %> API_KEY' },
    { description: 'In a script.', command: '<%= config.bin %> <%= command.id %> API_KEY --yes' },
  ]

  static override args = { name: Args.string({ description: 'The secret name.', required: true }) }
  static override flags = removalFlags

  async run(): Promise<Removal> {
    const { name } = this.args
    checkSecretName(name)
    const client = await this.client()
    await confirmOrFail(`Remove the secret ${name}?`, 'removing a secret', this.flags.yes)
    await client.delete(`/v1/secrets/${encodeURIComponent(name)}`)
    return { name, outcome: 'removed' }
  }

  protected override render(removal: Removal): string {
    return removalLine(removal, this.colors)
  }
}
