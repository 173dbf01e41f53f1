import { Args, Flags } from '@oclif/core'
import type { Static } from '@sinclair/typebox'
import type { ReplayAnswer } from '../contract/replays.js'
import { ApiCommand } from '../lib/api-command.js'
import { CliError } from '../lib/cli-error.js'
import { eventIdPattern } from '../lib/event-detail.js'
import { ExitCode } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { sinceFlagValue } from '../lib/since.js'
import { terminalText as safe } from '../lib/terminal-text.js'

type Replay = Static<typeof ReplayAnswer>

export default class ReplayCommand extends ApiCommand<typeof ReplayCommand, Replay> {
  static override summary = 'Run finished events again: what succeeded is skipped, the rest keeps its keys.'
  static override description = helpText([
    'Re-opens an event (or the events the filters select, oldest first, at most',
    'AREA_MAX_REPLAY_EVENTS a run) and runs it again. Reactions and for_each items that succeeded',
    '(or were skipped by their when) are not called again; the others run with the idempotency',
    'keys they had, so a target that honours keys sees each side effect once. The replay shows in',
    '`area logs` as the same event with its replay number, and each one is in `area audit`.',
    '--revision current (the default) runs the AREA as it stands, as a retry would: fix the AREA,',
    'apply, replay. --revision original runs the revision the AREA had when the event came in;',
    'it is refused when that revision is no longer kept or its secrets have changed since.',
  ])

  static override examples = [
    {
      description: 'Run one failed event again.',
      command: '<%= config.bin %> <%= command.id %> 0b5e7c1e-2f4a-4c3b-9d8e-6a1f2b3c4d5e',
    },
    {
      description: "See which of the last hour's failures of an AREA would run again, and what.",
      command:
        '<%= config.bin %> <%= command.id %> --area webhook-relay --status failed --since 1h --dry-run',
    },
    {
      description: 'Replay them with the revision each event came in under.',
      command: '<%= config.bin %> <%= command.id %> --area webhook-relay --since 1h --revision original',
    },
  ]

  static override args = {
    event: Args.string({ description: 'The event to run again (its id, from `area logs --json`).' }),
  }
  static override flags = {
    area: Flags.string({ summary: "Only this AREA's events." }),
    status: Flags.string({
      summary: 'Only finished events with this status (default: failed).',
      options: ['failed', 'done', 'skipped'],
    }),
    since: Flags.string({
      summary: 'Only events since then: a duration (30m, 1h, 7d) or an ISO 8601 time.',
      parse: sinceFlagValue,
    }),
    limit: Flags.integer({
      char: 'n',
      summary: 'At most this many events (default and ceiling: the server’s AREA_MAX_REPLAY_EVENTS).',
      min: 1,
    }),
    revision: Flags.string({
      summary: 'Run the AREA as it stands (current) or as it was when the event came in (original).',
      options: ['current', 'original'],
      default: 'current',
    }),
    'dry-run': Flags.boolean({ summary: 'Report what would run again; change nothing.', default: false }),
  }

  async run(): Promise<Replay> {
    const { area, status, since, limit } = this.flags
    const event = this.args.event
    const options = { revision: this.flags.revision, dryRun: this.flags['dry-run'] }
    if (event !== undefined) {
      if (!eventIdPattern.test(event)) {
        throw new CliError(
          `"${event}" is not an event id: give one from \`area logs --json\`, or select events with --area, --status and --since`,
          { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
        )
      }
      const filters = ['area', 'status', 'since', 'limit'].filter(
        (f) => this.flags[f as 'area'] !== undefined,
      )
      if (filters.length > 0) {
        throw new CliError(
          `--${filters.join(', --')} select events: give either an event id or filters, not both`,
          { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
        )
      }
      const client = await this.client()
      return client.post<Replay>(`/v1/events/${encodeURIComponent(event)}/replay`, options)
    }
    if (area === undefined && status === undefined && since === undefined) {
      throw new CliError(
        'say what to replay: an event id (`area replay <event-id>`), or filters: --area, --status, --since (e.g. `area replay --area NAME --since 1h --dry-run`)',
        { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
      )
    }
    const client = await this.client()
    return client.post<Replay>('/v1/replays', { area, status, since, limit, ...options })
  }

  protected override render(answer: Replay): string {
    const c = this.colors
    const verb = answer.dryRun ? 'Would replay' : 'Replayed'
    const more =
      answer.matched > answer.events.length + answer.refused.length
        ? ` (at most ${answer.limit} a run: run it again for the rest)`
        : ''
    const lines = [
      `${verb} ${answer.events.length} of ${answer.matched} matching event${answer.matched === 1 ? '' : 's'}, revision ${answer.revision}${more}:`,
    ]
    for (const e of answer.events) {
      const parts = [
        `  ${safe(e.id)}  ${c.bold(safe(e.area))}  was ${safe(e.status)}, revision ${e.revision}`,
        e.rerun.length ? `runs again: ${safe(e.rerun.join(', '))}` : 'nothing left to run',
        e.kept.length ? c.dim(`kept: ${safe(e.kept.join(', '))}`) : '',
      ]
      lines.push(parts.filter(Boolean).join('  '))
    }
    for (const r of answer.refused) {
      lines.push(`  ${safe(r.id)}  ${c.bold(safe(r.area))}  ${c.red('refused')}: ${safe(r.reason)}`)
    }
    if (!answer.dryRun && answer.events.length > 0)
      lines.push(c.dim('`area logs <event-id>` shows how each one runs.'))
    return lines.join('\n')
  }
}
