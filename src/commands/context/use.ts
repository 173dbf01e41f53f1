import { BaseCommand } from '../../lib/base-command.js'
import { contextNameArg } from '../../lib/context-args.js'
import { useContext } from '../../lib/contexts.js'

export default class ContextUse extends BaseCommand<typeof ContextUse, { current: string }> {
  static override summary = 'Make a context the current one: later commands use its server and token.'
  static override examples = [
    { description: 'Switch to the cluster.', command: '<%= config.bin %> <%= command.id %> prod' },
    { description: 'Back to the laptop.', command: '<%= config.bin %> <%= command.id %> default' },
  ]
  static override args = contextNameArg()

  async run(): Promise<{ current: string }> {
    await useContext(this.args.name)
    return { current: this.args.name }
  }

  protected override render({ current }: { current: string }): string {
    return `${this.colors.green('✓')} Switched to context "${current}".`
  }
}
