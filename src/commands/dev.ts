import { existsSync } from 'node:fs'
import { Flags } from '@oclif/core'
import pino from 'pino'
import { createLogger, loadDaemonConfig, openDaemonWhenReachable, startRoles } from '../daemon/index.js'
import { ApiClient } from '../lib/api-client.js'
import type { ApplyBatchAnswer, AreaDetails, EventLog } from '../lib/api-types.js'
import { resultLine } from '../lib/apply-output.js'
import { applyAreas, loadAreaDocuments } from '../lib/area-files.js'
import { getArea } from '../lib/areas-api.js'
import { BaseCommand } from '../lib/base-command.js'
import { ensureDevAccount } from '../lib/dev-account.js'
import { helpText } from '../lib/help-text.js'
import { eventLine } from '../lib/log-line.js'
import { signedCurlExample } from '../lib/webhook-hint.js'

const exampleFile = 'areas.example.yaml'

/** With --json, the first line printed; then one line per event. */
export interface DevReady {
  apiUrl: string
  configFile: string | undefined
  applied: ApplyBatchAnswer['results']
  webhooks: { name: string; url: string; secret: string | null }[]
}

export default class Dev extends BaseCommand<typeof Dev> {
  static override summary =
    "The newcomer's one command: run everything locally, apply a file, follow the logs."
  static override description = helpText([
    'Runs the API, scheduler and worker in this process (embedded database under AREA_DATA_DIR',
    'unless DATABASE_URL is set; in-process queue unless REDIS_URL is set). On first run it creates',
    'a local user (dev@localhost) and an API token, saved in the config directory, so that',
    '`area get`, `area logs` and the other commands work from another terminal with no login. Then',
    `it applies the file (${exampleFile} by default, when present), prints the webhook URLs of`,
    'webhook AREAs with a signed curl example, and follows the logs until Ctrl-C, which stops',
    'everything gracefully.',
  ])

  static override examples = [
    {
      description: `Start with the example AREAs (${exampleFile}).`,
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Your own file, on another port.',
      command: '<%= config.bin %> <%= command.id %> -f my-areas.yaml --port 9090',
    },
    { description: 'Then, in another terminal:', command: '<%= config.bin %> get' },
  ]

  static override flags = {
    file: Flags.string({
      char: 'f',
      summary: `AREA file or directory to apply (default: ${exampleFile} when present). Repeat for several.`,
      multiple: true,
    }),
    port: Flags.integer({
      summary: 'Port of the API (default: PORT or 8080; 0 picks a free one).',
      min: 0,
      max: 65535,
    }),
  }

  async run(): Promise<void> {
    const files = this.flags.file ?? (existsSync(exampleFile) ? [exampleFile] : [])
    // A bad file is reported before anything starts.
    const loaded = files.length ? await loadAreaDocuments(files, false) : undefined
    const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' }
    const config = loadDaemonConfig(env, {
      roles: ['all'],
      ...(this.flags.port === undefined ? {} : { port: this.flags.port }),
    })
    // stdout is for people (or --json lines); the daemon's JSON logs go to stderr.
    const logger = createLogger(config.logLevel, pino.destination({ fd: 2, sync: false }))
    this.note(
      `Starting area (${config.databaseUrl ? 'Postgres' : `embedded database in ${config.dataDir}`})…`,
    )
    const ctx = await openDaemonWhenReachable(config, { logger })
    const daemon = await startRoles(ctx)
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      const apiUrl = `http://127.0.0.1:${daemon.port}`
      // With --port 0 the configured public URL could not know the port: now it does.
      if (!process.env.AREA_PUBLIC_URL) ctx.config.publicUrl = apiUrl
      const account = await ensureDevAccount(ctx, apiUrl)
      const client = new ApiClient(apiUrl, account.token)
      const applied = loaded ? await applyAreas(client, loaded, { mode: 'apply' }) : undefined
      const details = await Promise.all((applied?.results ?? []).map((r) => getArea(client, r.name)))
      const webhooks = details
        .filter((a) => a.trigger.type === 'webhook' && a.trigger.webhookUrl)
        .map((a) => ({ name: a.name, url: a.trigger.webhookUrl as string, secret: a.trigger.secret ?? null }))
      const ready: DevReady = {
        apiUrl,
        configFile: account.configFile,
        applied: applied?.results ?? [],
        webhooks,
      }
      // The banner ends with an empty line before the logs: written as is, not through out().
      if (this.jsonOutput) process.stdout.write(`${JSON.stringify(ready)}\n`)
      else process.stdout.write(`${this.renderReady(ready, account.replacedApiUrl, details, files)}\n`)
      for await (const message of client.stream('/v1/logs/stream', { signal: controller.signal })) {
        if (message.event !== 'log') continue
        const event = JSON.parse(message.data) as EventLog
        this.out(eventLine(event, this.colors, this.jsonOutput))
      }
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      this.note('Stopping…')
      await daemon.stop()
    }
  }

  private renderReady(
    ready: DevReady,
    replacedApiUrl: string | undefined,
    details: AreaDetails[],
    files: string[],
  ): string {
    const c = this.colors
    const lines = [`${c.green('✓')} area is running at ${ready.apiUrl}`]
    if (ready.configFile) {
      lines.push(`  Logged in as dev@localhost; token saved in ${ready.configFile}.`)
      if (replacedApiUrl)
        lines.push(
          c.yellow(
            `  (This replaces the saved login to ${replacedApiUrl}: run \`area login\` there again later.)`,
          ),
        )
    }
    if (ready.applied.length) {
      lines.push(
        '',
        `Applied ${files.join(', ')}:`,
        ...ready.applied.map((r) => `  ${resultLine(r, c, false)}`),
      )
    } else lines.push('', c.dim(`No AREA file applied (pass -f, or create ${exampleFile}).`))
    if (ready.webhooks.length) {
      lines.push('', 'Webhook URLs:')
      for (const hook of ready.webhooks) lines.push(`  ${hook.name}  ${hook.url}`)
      const first = ready.webhooks[0]
      if (first?.secret) {
        lines.push(
          '',
          `Send a signed test event to ${first.name} (Standard Webhooks signature):`,
          signedCurlExample(first.url, first.secret),
        )
      }
      lines.push(
        c.dim('  Secrets of the others: area describe <name>. Or fire without signing: area run <name>.'),
      )
    }
    const polling = details.filter((a) => a.trigger.type === 'polling').map((a) => a.name)
    if (polling.length)
      lines.push('', c.dim(`Polling AREAs: ${polling.join(', ')} (next polls: area describe <name>).`))
    lines.push(
      '',
      `In another terminal: ${c.bold('area get')}, ${c.bold('area logs --follow')}.`,
      c.dim('Following the logs; Ctrl-C stops everything.'),
      '',
    )
    return lines.join('\n')
  }
}
