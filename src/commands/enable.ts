import { Flags } from '@oclif/core'
import { ToggleAreaCommand } from '../lib/toggle-area.js'

export default class Enable extends ToggleAreaCommand {
  static override summary = 'Turn an AREA on: its trigger fires again.'
  static override description = [
    ToggleAreaCommand.description,
    'A polling trigger starts at its next slot: the slots that fell while the AREA was off are not fired,',
    "unless --catch-up is given (then the action's catch_up key says which: latest, none or all).",
  ].join(' ')

  static override examples = [
    { description: 'Enable an AREA.', command: '<%= config.bin %> <%= command.id %> heartbeat' },
    {
      description: 'Enable it and fire the slots it missed while off, as its catch_up says.',
      command: '<%= config.bin %> <%= command.id %> heartbeat --catch-up',
    },
    {
      description: 'As JSON: { name, enabled, outcome }.',
      command: '<%= config.bin %> <%= command.id %> heartbeat --json',
    },
    {
      description: 'Enable several (--json: an array).',
      command: '<%= config.bin %> <%= command.id %> heartbeat webhook-relay',
    },
  ]

  static override flags = {
    'catch-up': Flags.boolean({
      description:
        "Fire the polling slots that fell while the AREA was off, as the action's catch_up says (default: start at the next slot).",
      default: false,
    }),
  }

  protected readonly enable = true

  protected override requestBody(): Record<string, unknown> {
    const flags = this.flags as unknown as { 'catch-up'?: boolean }
    return flags['catch-up'] ? { catch_up: true } : {}
  }
}
