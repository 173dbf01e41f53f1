import { BaseCommand } from '../../lib/base-command.js'
import { type ContextInfo, listContexts } from '../../lib/contexts.js'
import { helpText } from '../../lib/help-text.js'
import { formatTable } from '../../lib/table.js'

export default class ContextList extends BaseCommand<typeof ContextList, ContextInfo[]> {
  static override summary = 'List the named contexts: a server and the token saved for it each.'
  static override description = helpText([
    'The current one (*) is what commands use, unless --context or AREA_CONTEXT names another;',
    '`default` always exists. Nothing is sent to any server.',
  ])
  static override examples = [
    { description: 'Every context.', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'As JSON.', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<ContextInfo[]> {
    return listContexts()
  }

  protected override render(contexts: ContextInfo[]): string {
    const c = this.colors
    return formatTable(
      ['CURRENT', 'NAME', 'API URL', 'USER'],
      contexts.map((context) => [
        context.current ? '*' : '',
        context.name,
        context.apiUrl,
        context.loggedIn ? (context.email ?? '(token)') : c.dim('not logged in'),
      ]),
      { header: c.bold },
    )
  }
}
