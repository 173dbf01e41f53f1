import { BaseCommand } from '../../lib/base-command.js'
import { checkContextExists, readConfigFile, selectedContext } from '../../lib/config.js'
import { type ContextInfo, listContexts } from '../../lib/contexts.js'

export default class ContextCurrent extends BaseCommand<typeof ContextCurrent, ContextInfo> {
  static override summary =
    'Print the context commands use now (AREA_CONTEXT, else the one set by `area context use`).'
  static override examples = [
    { description: 'Which one?', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Its server too.', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<ContextInfo> {
    const file = await readConfigFile()
    const name = selectedContext(file)
    // AREA_CONTEXT may name a context the file does not have: that error says how to create it.
    checkContextExists(file, name)
    const found = (await listContexts()).find((context) => context.name === name)
    if (!found) throw new Error(`no context "${name}"`)
    return found
  }

  protected override render(context: ContextInfo): string {
    return context.name
  }
}
