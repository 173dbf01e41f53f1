import { Args, Flags } from '@oclif/core'
import { logStatuses } from '../contract/logs.js'
import type { ApiClient } from '../lib/api-client.js'
import { ApiCommand } from '../lib/api-command.js'
import type { EventLog, LogsPage } from '../lib/api-types.js'
import { jsonText } from '../lib/base-command.js'
import { CliError } from '../lib/cli-error.js'
import { type EventDetail, eventIdPattern, renderEventDetail } from '../lib/event-detail.js'
import { ExitCode } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { LogPrinter } from '../lib/log-line.js'
import { sinceFlagValue } from '../lib/since.js'

export default class Logs extends ApiCommand<typeof Logs> {
  static override summary = 'Show the execution history: events, and what each reaction did.'
  static override description = helpText([
    'Lists recent events oldest first (up to --limit), one line per state: when it changed, AREA,',
    'status, attempt (2/8), then each reaction or the error. Failed polls show as `poll failed`.',
    'With -f/--follow keeps printing new and changed events until Ctrl-C, and exits 1 if the',
    'server goes away. With an event id, shows that event in full: its payload and each',
    "reaction's rendered params (secrets as <secret:…>) and output. With --json, one JSON object",
    "per line (the API's event objects), also while following; with an event id, one document.",
    'With an event id and --event, only the payload its trigger delivered, as JSON: a fixture that',
    '`area test --event FILE` runs the AREAs on.',
  ])

  static override examples = [
    { description: 'The latest events of every AREA.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Failures of the last hour.',
      command: '<%= config.bin %> <%= command.id %> --since 1h --status failed',
    },
    {
      description: 'Watch one AREA fire.',
      command: '<%= config.bin %> <%= command.id %> webhook-relay -f',
    },
    {
      description: "One event's payload, and each reaction's params and output.",
      command: '<%= config.bin %> <%= command.id %> 0b5e7c1e-2f4a-4c3b-9d8e-6a1f2b3c4d5e',
    },
    {
      description: 'A real event as a test fixture, then the AREA run on it offline.',
      command:
        '<%= config.bin %> <%= command.id %> 0b5e7c1e-2f4a-4c3b-9d8e-6a1f2b3c4d5e --event > event.json && <%= config.bin %> test -f areas.yaml --event event.json',
    },
    {
      description: 'Stream as JSON lines.',
      command: "<%= config.bin %> <%= command.id %> --follow --json | jq -c '{area, status}'",
    },
  ]

  static override args = {
    name: Args.string({ description: 'Only this AREA; or an event id: that event in full.' }),
  }
  static override flags = {
    follow: Flags.boolean({
      char: 'f',
      charAliases: ['F'],
      summary: 'Keep printing new events until Ctrl-C.',
      default: false,
    }),
    since: Flags.string({
      summary: 'Only events since then: a duration (30m, 1h, 7d) or an ISO 8601 time.',
      parse: sinceFlagValue,
    }),
    status: Flags.string({
      summary:
        'Only events (and failed polls) with this status; running, success, partial_success: with a reaction in it.',
      options: [...logStatuses],
    }),
    limit: Flags.integer({
      char: 'n',
      summary: 'How many past events to show.',
      default: 20,
      min: 0,
      max: 200,
    }),
    event: Flags.boolean({
      summary: 'With an event id: print only its payload, as JSON (a fixture for `area test --event`).',
      default: false,
    }),
  }

  /** A stream of JSON lines with --json, not one document: written as it comes, no result. */
  async run(): Promise<void> {
    const client = await this.client()
    const { follow, since, status, limit } = this.flags
    const area = this.args.name
    // AREA names start with a letter and hold no hyphen runs like a UUID's: no ambiguity.
    const eventId = area !== undefined && eventIdPattern.test(area) ? area : undefined
    if (this.flags.event && !eventId)
      throw new CliError(
        "--event prints one event's payload: give its id (`area logs <event-id> --event`; the ids are in `area logs --json`)",
        { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
      )
    if (eventId) return this.showEvent(client, eventId)
    if (limit > 0) {
      const page = await client.get<LogsPage>('/v1/logs', { query: { area, status, since, limit } })
      // The API pages newest first; people read a log top to bottom.
      const events = [...page.items].reverse()
      this.printer.fit(events)
      for (const event of events) this.line(event)
      if (!follow && page.items.length === 0 && !this.jsonOutput) this.note('No events yet.')
    }
    if (!follow) return
    this.note(this.colors.dim('Following new events; Ctrl-C to stop.'))
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    let lost: unknown
    try {
      for await (const message of client.stream('/v1/logs/stream', {
        query: { area, status },
        signal: controller.signal,
      })) {
        if (message.event === 'log') this.line(JSON.parse(message.data) as EventLog)
      }
    } catch (error) {
      if (!controller.signal.aborted) lost = error
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
    if (controller.signal.aborted) return
    // The stream only ends when the server stops (or restarts): following is over, say so.
    const why = lost instanceof Error ? ` (${lost.message})` : ''
    throw new CliError(
      `the server at ${client.baseUrl} closed the log stream${why}: it stopped or restarted; run \`area logs --follow\` again once it is back`,
      { code: 'stream_closed' },
    )
  }

  private readonly printer = new LogPrinter(this.colors, this.jsonOutput)

  private line(event: EventLog): void {
    const text = this.printer.line(event)
    if (text !== undefined) this.out(text)
  }

  private async showEvent(client: ApiClient, id: string): Promise<void> {
    const event = await client.get<EventDetail>(`/v1/events/${id}`)
    // The payload alone, whatever --json says: `> fixture.json` must hold the event and nothing else.
    if (this.flags.event) this.out(jsonText(event.payload ?? null))
    else this.out(this.jsonOutput ? jsonText(event) : renderEventDetail(event, this.colors))
  }
}
