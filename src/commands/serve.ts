import { Flags } from '@oclif/core'
import { loadDaemonConfig, openDaemonWhenReachable, type Role, roles, startRoles } from '../daemon/index.js'
import { BaseCommand, CliError } from '../lib/base-command.js'
import { ExitCode } from '../lib/exit-codes.js'
import { helpText } from '../lib/help-text.js'
import { serviceRegistry } from '../plugins/service-registry.js'

export default class Serve extends BaseCommand<typeof Serve> {
  static override summary = 'Run the daemon: the API (with webhooks), the scheduler and the worker.'
  static override description = helpText(
    [
      'With --role=all (the default) every role runs in this process. Without DATABASE_URL the data',
      'is kept in an embedded database under AREA_DATA_DIR, and without REDIS_URL jobs run through an',
      'in-process queue: that is for one machine. Running roles as separate processes (--role=api,',
      'worker or scheduler, e.g. in Kubernetes) needs DATABASE_URL and REDIS_URL shared by all of them.',
    ],
    [
      'Configuration comes from the environment: DATABASE_URL, REDIS_URL, AREA_PUBLIC_URL (base of',
      'webhook URLs), AREA_ENCRYPTION_KEY (32 random bytes in base64), PORT, LOG_LEVEL,',
      'AREA_WORKER_CONCURRENCY, AREA_LOG_RETENTION_DAYS, AREA_SIGNUP, AREA_START_TIMEOUT (seconds to',
      'wait for Postgres and Redis at start, 120), AREA_PLUGINS (service plugins to load, comma-separated).',
      'SIGTERM or SIGINT stops it gracefully.',
    ],
  )

  static override examples = [
    {
      description: 'Everything in one process, embedded database and queue.',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Only the API, sharing Postgres and Redis with workers elsewhere.',
      command:
        'DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379 AREA_ENCRYPTION_KEY=… <%= config.bin %> <%= command.id %> --role=api --port 8080',
    },
    {
      description: 'Two workers in one process? Start two processes instead:',
      command: '<%= config.bin %> <%= command.id %> --role=worker',
    },
  ]

  static override flags = {
    role: Flags.string({
      summary: 'Roles to run, comma-separated: api, worker, scheduler or all.',
      default: 'all',
      env: 'AREA_ROLE',
    }),
    port: Flags.integer({
      summary: 'Port of the API (default: PORT or 8080; 0 picks a free one).',
      min: 0,
      max: 65535,
    }),
  }

  async run(): Promise<void> {
    const requested = this.flags.role.split(',').map((r) => r.trim()) as Role[]
    const unknown = requested.filter((r) => !roles.includes(r))
    if (unknown.length || requested.length === 0) {
      throw new CliError(`unknown role "${unknown.join(', ')}": use api, worker, scheduler or all`, {
        exitCode: ExitCode.invalid,
        code: 'invalid_role',
      })
    }
    const config = loadDaemonConfig(process.env, {
      roles: requested,
      ...(this.flags.port === undefined ? {} : { port: this.flags.port }),
    })
    // Plugins first: a broken one stops the start at once, before any wait for Postgres or Redis.
    const registry = await serviceRegistry(config.plugins)
    // Postgres or Redis not up yet: wait (AREA_START_TIMEOUT) rather than exit.
    const ctx = await openDaemonWhenReachable(config, { registry })
    const daemon = await startRoles(ctx)
    await new Promise<void>((resolve) => {
      let stopping = false
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return
        stopping = true
        ctx.logger.info({ signal }, 'stopping')
        daemon.stop().then(resolve, (error: unknown) => {
          ctx.logger.error({ err: error }, 'error while stopping')
          resolve()
        })
      }
      process.once('SIGTERM', stop)
      process.once('SIGINT', stop)
    })
  }
}
