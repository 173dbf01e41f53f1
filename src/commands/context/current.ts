import { BaseCommand } from '../../lib/base-command.js'
import { type ContextInfo, currentContext } from '../../lib/contexts.js'

export default class ContextCurrent extends BaseCommand<typeof ContextCurrent, ContextInfo> {
  static override summary =
    'Print the context commands use now (AREA_CONTEXT, else the one set by `area context use`).'
  static override examples = [
    { description: 'Which one?', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Its server too.', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<ContextInfo> {
    return currentContext()
  }

  protected override render(context: ContextInfo): string {
    return context.name
  }
}
