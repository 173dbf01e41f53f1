import { DEFAULT_CATCH_UP_ALL_MAX } from '../engine/catch-up.js'
import { describeFlow } from '../engine/flow.js'
import { ApiCommand } from '../lib/api-command.js'
import type { AreaDetails } from '../lib/api-types.js'
import { areaNamesArgs, eachArea, namesOf } from '../lib/area-batch.js'
import { getArea } from '../lib/areas-api.js'
import { describeError } from '../lib/base-command.js'
import { commandName } from '../lib/command-name.js'
import { reactionLines, serverRetryText } from '../lib/describe-reactions.js'
import { ExitCode, type ExitCodeValue } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { formatTable } from '../lib/table.js'
import { terminalText as safe } from '../lib/terminal-text.js'
import { failureText } from '../lib/trigger-status.js'
import { senderSignsHint, signedCurlExample, signsAsStandardWebhooks } from '../lib/webhook-hint.js'
import type { AreaDocument } from '../spec/document.js'

/** One AREA's details; an array of them when several names are given. */
export type DescribeOutput = AreaDetails | AreaDetails[]

export default class Describe extends ApiCommand<typeof Describe, DescribeOutput> {
  static override summary =
    'Show one AREA: its trigger (webhook URL and secret, or next poll), reactions and last runs.'
  static override description = helpText([
    'For a webhook AREA this prints the URL to give the sending service and the secret it signs with.',
    'When it checks Standard Webhooks signatures (webhook-id, webhook-timestamp and webhook-signature',
    'headers; the default), it also prints a curl command that sends a signed test event; other',
    'schemes (verify.scheme) are signed by their sender. Treat the output as a secret. --json prints',
    'the API object.',
  ])

  static override examples = [
    {
      description: 'The webhook URL and secret of an AREA.',
      command: '<%= config.bin %> <%= command.id %> webhook-relay',
    },
    {
      description: 'Only the URL, for a script.',
      command: '<%= config.bin %> <%= command.id %> webhook-relay --json | jq -r .trigger.webhookUrl',
    },
    {
      description: 'Several AREAs, one after the other (--json: an array).',
      command: '<%= config.bin %> <%= command.id %> heartbeat webhook-relay',
    },
  ]

  static override strict = false
  static override args = areaNamesArgs

  private failed = 0

  async run(): Promise<DescribeOutput> {
    const names = namesOf(this.positionals)
    const client = await this.client()
    const batch = await eachArea(names, (name) => getArea(client, name))
    for (const { error } of batch.failed) this.reportError(describeError(error))
    this.failed = batch.failed.length
    return names.length === 1 && batch.done[0] ? batch.done[0] : batch.done
  }

  protected override render(output: DescribeOutput): string {
    return (Array.isArray(output) ? output : [output]).map((area) => this.describeOne(area)).join('\n\n')
  }

  protected override exitCodeOf(): ExitCodeValue {
    return this.failed ? ExitCode.error : ExitCode.ok
  }

  private describeOne(area: AreaDetails): string {
    const c = this.colors
    const t = area.trigger
    const document = area.spec as unknown as AreaDocument
    // Every value is the server's text: escaped before our colours (terminal-text.ts).
    const field = (label: string, value: string) => `${c.bold(`${label}:`.padEnd(13))} ${safe(value)}`
    const lines = [
      field('Name', area.name),
      ...(area.description ? [field('Description', area.description)] : []),
      ...(Object.keys(area.labels).length
        ? [
            field(
              'Labels',
              Object.entries(area.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(', '),
            ),
          ]
        : []),
      field('Enabled', area.enabled ? 'yes' : 'no'),
      field('Revision', String(area.revision)),
      ...(area.owner ? [field('Owner', area.owner)] : []),
      field('Action', `${area.service}.${area.action}`),
      ...(document.spec.action.when ? [field('When', document.spec.action.when)] : []),
      field('Trigger', `${t.type}${t.status ? ` (${t.status}${t.failure ? ', failing' : ''})` : ''}`),
    ]
    if (t.type === 'webhook') {
      lines.push(field('Webhook URL', t.webhookUrl ?? '-'), field('Secret', t.secret ?? '-'))
    } else {
      if (t.intervalSeconds) lines.push(field('Interval', `${t.intervalSeconds}s`))
      const schedule = t.schedule as { expression?: string; timezone?: string } | null | undefined
      if (schedule?.expression)
        lines.push(field('Schedule', `${schedule.expression} (${schedule.timezone ?? 'UTC'})`))
      lines.push(field('Last poll', t.lastRunAt ?? 'never'), field('Next poll', t.nextRunAt ?? '-'))
      const failure = failureText(t)
      if (failure) lines.push(`${c.bold('Poll:'.padEnd(13))} ${c.red(safe(failure))}`)
    }
    const flow = describeFlow(document.spec)
    if (flow.length) lines.push('', c.bold('Flow control:'), ...flow.map((l) => `  ${safe(l)}`))
    if (t.type !== 'webhook') {
      const catchUp = document.spec.action.catch_up ?? 'latest'
      const written = typeof catchUp === 'string' ? { mode: catchUp } : catchUp
      const max = 'max' in written && written.max !== undefined ? written.max : DEFAULT_CATCH_UP_ALL_MAX
      const text = written.mode === 'all' ? `all (max ${max})` : written.mode
      lines.push(field('Catch-up', text))
    }
    if (area.retry)
      lines.push(field('Retry', `${serverRetryText(area.retry)} (server; a reaction's retry: wins)`))
    const reactions = reactionLines(document, area.retry)
    lines.push('', c.bold('Reactions:'), ...reactions.main.map((l) => `  ${safe(l)}`))
    if (reactions.onFailure.length)
      lines.push('', c.bold('On failure:'), ...reactions.onFailure.map((l) => `  ${safe(l)}`))
    lines.push('', c.bold('Last runs:'))
    if (area.recentEvents.length === 0) lines.push(c.dim('  none yet'))
    else {
      const table = formatTable(
        ['DETECTED', 'STATUS', 'ATTEMPTS', 'DELIVERY', 'ERROR'],
        area.recentEvents.map((e) =>
          [e.detectedAt, e.status, String(e.attempts), e.deliveryId, e.error ?? ''].map((cell) => safe(cell)),
        ),
        { header: c.bold },
      )
      lines.push(...table.split('\n').map((l) => `  ${l}`))
    }
    const params = document.spec.action.params
    if (
      t.type === 'webhook' &&
      t.webhookUrl &&
      t.secret &&
      signsAsStandardWebhooks(area.service, area.action, params)
    ) {
      lines.push(
        '',
        c.bold('Send a signed test event:'),
        safe(signedCurlExample(t.webhookUrl, t.secret), { multiline: true }),
        '',
        c.dim(`Or fire it without signing: ${commandName()} run ${safe(area.name)}`),
      )
    } else if (t.type === 'webhook' && t.webhookUrl) {
      lines.push(
        '',
        safe(senderSignsHint(area.service, params)),
        c.dim(`Fire it without a delivery: ${commandName()} run ${safe(area.name)}`),
      )
    }
    return lines.join('\n')
  }
}
