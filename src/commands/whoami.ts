import { ApiCommand } from '../lib/api-command.js'
import type { Me } from '../lib/api-types.js'

export interface WhoamiOutput extends Me {
  apiUrl: string
  /** Where the token came from: flag, env (AREA_TOKEN) or config. */
  tokenSource: string
}

export default class Whoami extends ApiCommand<typeof Whoami, WhoamiOutput> {
  static override summary = 'Show the account and token this CLI uses, and the server.'
  static override examples = [
    { description: 'Who am I, where?', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'As JSON, e.g. to check a CI token.',
      command: 'AREA_TOKEN=… <%= config.bin %> <%= command.id %> --json',
    },
  ]

  async run(): Promise<WhoamiOutput> {
    const client = await this.client()
    const me = await client.get<Me>('/v1/me')
    const connection = await this.connection()
    return { apiUrl: client.baseUrl, tokenSource: connection.token?.source ?? 'none', ...me }
  }

  protected override render({ apiUrl, tokenSource, user, currentToken }: WhoamiOutput): string {
    const expires = currentToken.expiresAt ? `, expires ${currentToken.expiresAt}` : ''
    return [
      `${user.email} on ${apiUrl}`,
      this.colors.dim(`token ${currentToken.name} (from ${tokenSource})${expires}`),
    ].join('\n')
  }
}
