import { ToggleAreaCommand } from '../lib/toggle-area.js'

export default class Disable extends ToggleAreaCommand {
  static override summary = 'Turn an AREA off: its trigger stops firing.'
  static override examples = [
    { description: 'Disable an AREA.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    {
      description: 'As JSON: { name, enabled, outcome }.',
      command: '<%= config.bin %> <%= command.id %> heartbeat --json',
    },
    {
      description: 'Disable several (--json: an array).',
      command: '<%= config.bin %> <%= command.id %> heartbeat webhook-relay',
    },
  ]

  protected readonly enable = false
}
