import { ToggleAreaCommand } from '../lib/toggle-area.js'

export default class Enable extends ToggleAreaCommand {
  static override summary = 'Turn an AREA on: its trigger fires again.'
  static override examples = [
    { description: 'Enable an AREA.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    {
      description: 'As JSON: { name, enabled, outcome }.',
      command: '<%= config.bin %> <%= command.id %> heartbeat --json',
    },
    {
      description: 'Enable several (--json: an array).',
      command: '<%= config.bin %> <%= command.id %> heartbeat webhook-relay',
    },
  ]

  protected readonly enable = true
}
