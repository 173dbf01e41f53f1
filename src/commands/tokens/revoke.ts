import { Args } from '@oclif/core'
import { ApiCommand } from '../../lib/api-command.js'

export interface RevokeOutput {
  name: string
  revoked: true
}

export default class TokensRevoke extends ApiCommand<typeof TokensRevoke, RevokeOutput> {
  static override summary = 'Revoke an API token by name: it stops working at once.'
  static override examples = [
    { description: 'Revoke the CI token.', command: '<%= config.bin %> <%= command.id %> github-actions' },
  ]

  static override args = {
    name: Args.string({ description: 'The token name (see `area tokens list`).', required: true }),
  }

  async run(): Promise<RevokeOutput> {
    await (await this.client()).delete(`/v1/tokens/${encodeURIComponent(this.args.name)}`)
    return { name: this.args.name, revoked: true }
  }

  protected override render({ name }: RevokeOutput): string {
    return `Revoked the token "${name}".`
  }
}
