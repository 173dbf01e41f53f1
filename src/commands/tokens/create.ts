import { Args, Flags } from '@oclif/core'
import { ApiCommand } from '../../lib/api-command.js'
import type { CreatedToken } from '../../lib/api-types.js'
import { helpText } from '../../lib/help-text.js'

export default class TokensCreate extends ApiCommand<typeof TokensCreate, CreatedToken> {
  static override summary = 'Create an API token, for CI or scripts; it is printed this once.'
  static override description = helpText([
    'Prints the token alone on stdout (so `$(area tokens create ci)` captures it); with --json,',
    '{ name, token, createdAt, expiresAt }. Use it as AREA_TOKEN, or with `area login --with-token`.',
    'Revoke it with `area tokens revoke <name>`.',
  ])

  static override examples = [
    {
      description: 'A token for CI, kept in a secret store.',
      command: '<%= config.bin %> <%= command.id %> github-actions',
    },
    {
      description: 'One that expires in 30 days.',
      command: '<%= config.bin %> <%= command.id %> laptop --expires-in-days 30',
    },
  ]

  static override args = {
    name: Args.string({ description: 'A name unique among your live tokens.', required: true }),
  }
  static override flags = {
    'expires-in-days': Flags.integer({
      summary: 'Days until the token expires (default: never).',
      min: 1,
      max: 3650,
    }),
  }

  async run(): Promise<CreatedToken> {
    const client = await this.client()
    const days = this.flags['expires-in-days']
    return client.post<CreatedToken>('/v1/tokens', {
      name: this.args.name,
      ...(days === undefined ? {} : { expiresInDays: days }),
    })
  }

  /** The token alone on stdout, then the warning on stderr. */
  protected override render(created: CreatedToken): undefined {
    this.out(created.token)
    const expires = created.expiresAt ? `, expires ${created.expiresAt}` : ''
    this.note(`Token "${created.name}" created${expires}: it is shown this once; store it now.`)
    return undefined
  }
}
