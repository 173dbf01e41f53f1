import { Args, Flags } from '@oclif/core'
import { logStatuses } from '../contract/logs.js'
import { ApiCommand } from '../lib/api-command.js'
import type { EventLog, LogsPage } from '../lib/api-types.js'
import { helpText } from '../lib/help-text.js'
import { eventLine } from '../lib/log-line.js'
import { sinceFlagValue } from '../lib/since.js'

export default class Logs extends ApiCommand<typeof Logs> {
  static override summary = 'Show the execution history: events, and what each reaction did.'
  static override description = helpText([
    'Lists recent events oldest first (up to --limit), then with --follow keeps printing new and',
    'changed events as they happen, until Ctrl-C. With --json, one JSON object per line (the',
    "API's event objects), also while following.",
  ])

  static override examples = [
    { description: 'The latest events of every AREA.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Failures of the last hour.',
      command: '<%= config.bin %> <%= command.id %> --since 1h --status failed',
    },
    {
      description: 'Watch one AREA fire.',
      command: '<%= config.bin %> <%= command.id %> webhook-relay --follow',
    },
    {
      description: 'Stream as JSON lines.',
      command: "<%= config.bin %> <%= command.id %> --follow --json | jq -c '{area, status}'",
    },
  ]

  static override args = { name: Args.string({ description: 'Only this AREA.' }) }
  static override flags = {
    follow: Flags.boolean({ char: 'F', summary: 'Keep printing new events until Ctrl-C.', default: false }),
    since: Flags.string({
      summary: 'Only events since then: a duration (30m, 1h, 7d) or an ISO 8601 time.',
      parse: sinceFlagValue,
    }),
    status: Flags.string({
      summary: 'Only events with this status (or with a reaction in it).',
      options: [...logStatuses],
    }),
    limit: Flags.integer({
      char: 'n',
      summary: 'How many past events to show.',
      default: 20,
      min: 0,
      max: 200,
    }),
  }

  /** A stream of JSON lines with --json, not one document: written as it comes, no result. */
  async run(): Promise<void> {
    const client = await this.client()
    const { follow, since, status, limit } = this.flags
    const area = this.args.name
    if (limit > 0) {
      const page = await client.get<LogsPage>('/v1/logs', { query: { area, status, since, limit } })
      // The API pages newest first; people read a log top to bottom.
      for (const event of [...page.items].reverse()) this.line(event)
      if (!follow && page.items.length === 0 && !this.jsonOutput) this.note('No events yet.')
    }
    if (!follow) return
    this.note(this.colors.dim('Following new events; Ctrl-C to stop.'))
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      for await (const message of client.stream('/v1/logs/stream', {
        query: { area, status },
        signal: controller.signal,
      })) {
        if (message.event === 'log') this.line(JSON.parse(message.data) as EventLog)
      }
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
    if (!controller.signal.aborted) this.note('The server closed the stream.')
  }

  private line(event: EventLog): void {
    this.out(eventLine(event, this.colors, this.jsonOutput))
  }
}
