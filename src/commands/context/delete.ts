import { BaseCommand } from '../../lib/base-command.js'
import { contextNameArg } from '../../lib/context-args.js'
import { deleteContext } from '../../lib/contexts.js'
import { helpText } from '../../lib/help-text.js'

export interface ContextDeleteOutput {
  name: string
  /** It held a token, now forgotten (not revoked). */
  hadToken: boolean
  /** It was current: `default` is now. */
  wasCurrent: boolean
}

export default class ContextDelete extends BaseCommand<typeof ContextDelete, ContextDeleteOutput> {
  static override summary = 'Remove a context and forget its token.'
  static override description = helpText([
    'The token is forgotten, not revoked: run `area logout --context <name>` first to revoke it.',
    'When the context was the current one, `default` becomes current.',
  ])
  static override examples = [
    {
      description: 'Log out of a context, then remove it.',
      command: '<%= config.bin %> logout --context old && <%= config.bin %> <%= command.id %> old',
    },
  ]
  static override args = contextNameArg()

  async run(): Promise<ContextDeleteOutput> {
    return { name: this.args.name, ...(await deleteContext(this.args.name)) }
  }

  protected override render({ name, hadToken, wasCurrent }: ContextDeleteOutput): string {
    if (hadToken) this.note(`Its token is forgotten but not revoked: \`area tokens revoke\` on that server.`)
    const now = wasCurrent ? '; the current context is now "default"' : ''
    return `${this.colors.red('-')} deleted context "${name}"${now}`
  }
}
