import { Args } from '@oclif/core'
import { ApiCommand } from '../../lib/api-command.js'

export default class TokensRevoke extends ApiCommand<typeof TokensRevoke> {
  static override summary = 'Revoke an API token by name: it stops working at once.'
  static override examples = [
    { description: 'Revoke the CI token.', command: '<%= config.bin %> <%= command.id %> github-actions' },
  ]

  static override args = {
    name: Args.string({ description: 'The token name (see `area tokens list`).', required: true }),
  }

  async run(): Promise<void> {
    await (await this.client()).delete(`/v1/tokens/${encodeURIComponent(this.args.name)}`)
    this.print({ name: this.args.name, revoked: true }, () => `Revoked the token "${this.args.name}".`)
  }
}
