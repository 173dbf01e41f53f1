import { ApiCommand } from '../lib/api-command.js'
import type { AccountStatus } from '../lib/api-types.js'
import { helpText } from '../lib/help-text.js'

export default class Status extends ApiCommand<typeof Status, AccountStatus> {
  static override summary =
    'Your account at a glance: AREAs, failing ones, recent events, connections, queue.'
  static override description = helpText([
    'Counts your AREAs (enabled, disabled, and failing: those whose latest event failed or whose',
    'trigger is failing to poll), your events of the last 24 hours by status and your connections,',
    'and says whether the server can reach its queue, with the jobs waiting, running, delayed for a',
    'retry and failed in it. --json prints the API answer (GET /v1/status).',
  ])

  static override examples = [
    { description: 'The whole account.', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'In a script: how many AREAs are failing?',
      command: '<%= config.bin %> <%= command.id %> --json | jq .areas.failing',
    },
  ]

  async run(): Promise<AccountStatus> {
    return (await this.client()).get<AccountStatus>('/v1/status')
  }

  protected override render(status: AccountStatus): string {
    const c = this.colors
    const label = (text: string) => c.bold(`${text}:`.padEnd(13))
    const { areas, queue } = status
    const events = Object.entries(status.events24h)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${n} ${state === 'failed' ? c.red(state) : state}`)
    const jobs = queue.jobs
    return [
      `${label('AREAs')} ${areas.total} (${areas.enabled} enabled, ${areas.disabled} disabled)`,
      `${label('Failing')} ${areas.failing ? c.red(String(areas.failing)) : '0'} (latest event failed or trigger failing to poll)`,
      `${label('Events 24h')} ${events.length ? events.join(', ') : 'none'}`,
      `${label('Connections')} ${status.connections}`,
      `${label('Queue')} ${queue.status === 'ok' ? c.green('ok') : c.red('unreachable')} (${queue.kind})${
        jobs
          ? `: ${jobs.waiting} waiting, ${jobs.active} running, ${jobs.delayed} delayed, ${jobs.failed} failed`
          : ''
      }`,
    ].join('\n')
  }
}
