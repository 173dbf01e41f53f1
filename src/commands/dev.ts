import { existsSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { loadDaemonConfig, openDaemonWhenReachable, startRoles } from '../daemon/index.js'
import { resolveDataDir } from '../db/data-dir.js'
import { ApiClient } from '../lib/api-client.js'
import type { ApplyBatchAnswer, AreaDetails, EventLog } from '../lib/api-types.js'
import { resultLine } from '../lib/apply-output.js'
import { applyAreas, loadAreaDocuments } from '../lib/area-files.js'
import { getArea } from '../lib/areas-api.js'
import { BaseCommand, describeError } from '../lib/base-command.js'
import { ensureDevAccount } from '../lib/dev-account.js'
import { devLog } from '../lib/dev-log.js'
import { ensurePortFree } from '../lib/dev-port.js'
import { reapplyFiles } from '../lib/dev-reapply.js'
import { openDevState, recreatedAreas } from '../lib/dev-state.js'
import { watchAreaFiles } from '../lib/dev-watch.js'
import { helpText } from '../lib/help-text.js'
import { LogPrinter } from '../lib/log-line.js'
import { signedCurlExample, signsAsStandardWebhooks } from '../lib/webhook-hint.js'
import type { AreaDocument } from '../spec/document.js'

const exampleFile = 'areas.example.yaml'

/** With --json, the first line printed; then one line per event. */
export interface DevReady {
  apiUrl: string
  configFile: string | undefined
  applied: ApplyBatchAnswer['results']
  /** AREAs of the files that an earlier `area dev` had applied and that were deleted since. */
  recreated: string[]
  /** The daemon's JSON log lines. */
  logFile: string
  webhooks: { name: string; url: string; secret: string | null; standard: boolean }[]
}

export default class Dev extends BaseCommand<typeof Dev> {
  static override summary =
    "The newcomer's one command: run everything locally, apply a file, follow the logs."
  static override description = helpText(
    [
      'Runs the API, scheduler and worker in this process (embedded database under AREA_DATA_DIR',
      'unless DATABASE_URL is set; in-process queue unless REDIS_URL is set). On first run it creates',
      'a local user (dev@localhost) and an API token, saved in the config directory, so that',
      '`area get`, `area logs` and the other commands work from another terminal with no login. Then',
      `it applies the file (${exampleFile} by default, when present), prints the webhook URLs of`,
      'webhook AREAs with a signed curl example, and follows the logs until Ctrl-C, which stops',
      'everything gracefully.',
    ],
    [
      'It sets AREA_PUBLIC_URL to its own address (unless set) before reading the file, so',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the AREA file's syntax, shown as is
      '`${AREA_PUBLIC_URL:-…}` in the file follows --port. The daemon logs go to dev.log in the data',
      'directory; warnings and errors are also printed on stderr. With --watch, saving the file',
      're-validates and re-applies it (an invalid edit changes nothing).',
    ],
  )

  static override examples = [
    {
      description: `Start with the example AREAs (${exampleFile}).`,
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Your own file, on another port.',
      command: '<%= config.bin %> <%= command.id %> -f my-areas.yaml --port 9090',
    },
    {
      description: 'Re-apply the file each time it is saved.',
      command: '<%= config.bin %> <%= command.id %> -f my-areas.yaml --watch',
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
    watch: Flags.boolean({
      char: 'w',
      summary: 'Re-validate and re-apply the files whenever they change.',
      default: false,
    }),
  }

  async run(): Promise<void> {
    const files = this.flags.file ?? (existsSync(exampleFile) ? [exampleFile] : [])
    const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'info' }
    const config = loadDaemonConfig(env, {
      roles: ['all'],
      ...(this.flags.port === undefined ? {} : { port: this.flags.port }),
    })
    // The file's `${AREA_PUBLIC_URL:-…}` follow this server's address (set again once --port 0
    // has picked one); an address the user set wins.
    const ownPublicUrl = !process.env.AREA_PUBLIC_URL
    if (ownPublicUrl) process.env.AREA_PUBLIC_URL = config.publicUrl
    // A bad file and a busy port are reported before anything starts.
    let loaded = files.length ? await loadAreaDocuments(files, false) : undefined
    await ensurePortFree(config.host, config.port)
    const dataDir = config.dataDir ?? resolveDataDir(env)
    // The terminal is for people: the daemon's JSON lines go to a file, warnings as lines.
    const log = devLog(dataDir, config.logLevel, this.errorColors, (line) =>
      process.stderr.write(`${line}\n`),
    )
    this.note(
      `Starting area (${config.databaseUrl ? 'Postgres' : `embedded database in ${config.dataDir}`})…`,
    )
    const ctx = await openDaemonWhenReachable(config, { logger: log.logger })
    const daemon = await startRoles(ctx)
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    let watching: { close(): Promise<void> } | undefined
    try {
      const apiUrl = `http://127.0.0.1:${daemon.port}`
      if (ownPublicUrl && process.env.AREA_PUBLIC_URL !== apiUrl) {
        // With --port 0 the configured public URL could not know the port: now it does.
        process.env.AREA_PUBLIC_URL = apiUrl
        ctx.config.publicUrl = apiUrl
        loaded = files.length ? await loadAreaDocuments(files, false) : undefined
      }
      const account = await ensureDevAccount(ctx, apiUrl)
      const client = new ApiClient(apiUrl, account.token)
      const state = await openDevState(dataDir, config.databaseUrl)
      const applied = loaded ? await applyAreas(client, loaded, { mode: 'apply' }) : undefined
      if (applied) await state.record(applied.results)
      const details = await Promise.all((applied?.results ?? []).map((r) => getArea(client, r.name)))
      const webhooks = details
        .filter((a) => a.trigger.type === 'webhook' && a.trigger.webhookUrl)
        .map((a) => ({
          name: a.name,
          url: a.trigger.webhookUrl as string,
          secret: a.trigger.secret ?? null,
          standard: signsAsStandardWebhooks(
            a.service,
            a.action,
            (a.spec as unknown as AreaDocument).spec.action.params,
          ),
        }))
      const ready: DevReady = {
        apiUrl,
        configFile: account.configFile,
        applied: applied?.results ?? [],
        recreated: recreatedAreas(applied?.results ?? [], state.previouslyApplied),
        logFile: log.file,
        webhooks,
      }
      // The banner ends with an empty line before the logs: written as is, not through out().
      if (this.jsonOutput) process.stdout.write(`${JSON.stringify(ready)}\n`)
      else process.stdout.write(`${this.renderReady(ready, account.replacedApiUrl, details, files)}\n`)
      if (this.flags.watch && files.length)
        watching = this.watchFiles(files, client, (results) => state.record(results))
      // The lines `area logs -f` prints: one per state, aligned, never the same state twice.
      const printer = new LogPrinter(this.colors, this.jsonOutput)
      for await (const message of client.stream('/v1/logs/stream', { signal: controller.signal })) {
        if (message.event !== 'log') continue
        const text = printer.line(JSON.parse(message.data) as EventLog)
        if (text !== undefined) this.out(text)
      }
    } finally {
      // A re-apply under way finishes before the server stops.
      await watching?.close()
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      this.note('Stopping…')
      await daemon.stop()
    }
  }

  /** --watch: each settled change re-applies the files, one at a time, and says what changed. */
  private watchFiles(
    files: string[],
    client: ApiClient,
    record: (results: ApplyBatchAnswer['results']) => Promise<void>,
  ): { close(): Promise<void> } {
    let running: Promise<void> = Promise.resolve()
    const reapply = async () => {
      const result = await reapplyFiles(client, files, this.colors)
      if (result.ok) {
        await record(result.applied)
        if (this.jsonOutput) process.stdout.write(`${JSON.stringify({ reapplied: result.applied })}\n`)
        else {
          const hooks = await this.newWebhookLines(client, result.applied)
          const title = `${this.colors.cyan('↻')} ${files.join(', ')} changed; applied:`
          this.out([title, ...result.lines, ...hooks].join('\n'))
        }
        return
      }
      const failure = describeError(result.error as Error)
      if (this.jsonOutput) {
        const error = { code: failure.code, message: failure.message, issues: failure.issues }
        process.stderr.write(`${JSON.stringify({ error })}\n`)
        return
      }
      const c = this.errorColors
      const lines = [`${c.red('✗')} ${files.join(', ')} changed, but ${failure.message}:`]
      for (const issue of failure.issues ?? []) lines.push(`  ${issue.path || '/'}: ${issue.message}`)
      lines.push(c.dim('  The running AREAs are unchanged; fix the file and save it again.'))
      process.stderr.write(`${lines.join('\n')}\n`)
    }
    const watch = watchAreaFiles(files, () => {
      running = running.then(reapply).catch((error: unknown) => {
        // Never leaves the chain rejected: the next save must still re-apply.
        process.stderr.write(`Error: re-applying failed: ${(error as Error).message}\n`)
      })
    })
    this.note(`Watching ${files.join(', ')}: saving re-applies.`)
    return {
      async close() {
        watch.close()
        await running
      },
    }
  }

  /** The webhook URL of each webhook AREA a re-apply created: they are new URLs to call. */
  private async newWebhookLines(client: ApiClient, applied: ApplyBatchAnswer['results']): Promise<string[]> {
    const created = applied.filter((r) => r.outcome === 'created').map((r) => r.name)
    const details = await Promise.all(created.map((name) => getArea(client, name).catch(() => undefined)))
    return details.flatMap((a) =>
      a?.trigger.type === 'webhook' && a.trigger.webhookUrl
        ? [`  Webhook URL of ${a.name}: ${a.trigger.webhookUrl} (its secret: area describe ${a.name})`]
        : [],
    )
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
    if (ready.recreated.length) {
      lines.push(
        c.yellow(
          `  Re-created ${ready.recreated.join(', ')}: an earlier \`area dev\` had applied ${ready.recreated.length === 1 ? 'it' : 'them'}, and ${ready.recreated.length === 1 ? 'it was' : 'they were'} deleted since (area delete, apply --prune).`,
        ),
        c.yellow(
          `  To keep ${ready.recreated.length === 1 ? 'it' : 'them'} deleted, remove ${ready.recreated.length === 1 ? 'it' : 'them'} from ${files.join(', ')}.`,
        ),
      )
    }
    if (ready.webhooks.length) {
      lines.push('', 'Webhook URLs:')
      for (const hook of ready.webhooks) lines.push(`  ${hook.name}  ${hook.url}`)
      // The curl example signs as Standard Webhooks: for the first AREA that checks that scheme.
      const first = ready.webhooks.find((hook) => hook.standard)
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
      c.dim(`Daemon logs (JSON lines): ${ready.logFile}; warnings and errors are shown here too.`),
      `In another terminal: ${c.bold('area get')}, ${c.bold('area logs --follow')}.`,
      c.dim('Following the logs; Ctrl-C stops everything.'),
      '',
    )
    return lines.join('\n')
  }
}
