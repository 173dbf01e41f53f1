import { Flags } from '@oclif/core'
import { migrateDatabase } from '../../daemon/index.js'
import { BaseCommand } from '../../lib/base-command.js'
import { helpText } from '../../lib/help-text.js'

export interface MigrateOutput {
  /** The migrations applied by this run, in order (file names). */
  applied: string[]
}

export default class DbMigrate extends BaseCommand<typeof DbMigrate, MigrateOutput> {
  static override summary = 'Apply the pending database migrations.'
  static override description = helpText([
    'Applies the SQL files of supabase/migrations that the database has not run yet, in file-name',
    'order and in one transaction: if one fails, none is kept. Without DATABASE_URL it migrates the',
    'embedded database in the data directory (AREA_DATA_DIR). Several processes may run it at once',
    '(replicas starting together): one applies, the others wait and find nothing to do.',
  ])

  static override examples = [
    {
      description: 'Migrate the embedded database in the data directory.',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Migrate a Postgres database (Supabase, RDS, a local server).',
      command:
        'DATABASE_URL=postgres://user:password@db.example.com:5432/area <%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Print the applied migrations as JSON, for scripts.',
      command: '<%= config.bin %> <%= command.id %> --json',
    },
  ]

  static override flags = {
    'database-url': Flags.string({
      summary: 'Postgres connection string; without it, the embedded database is used.',
      env: 'DATABASE_URL',
    }),
    'direct-url': Flags.string({
      summary: 'A direct connection (no pooler) to migrate through instead of --database-url.',
      env: 'DATABASE_DIRECT_URL',
    }),
  }

  async run(): Promise<MigrateOutput> {
    const databaseUrl = this.flags['direct-url'] || this.flags['database-url'] || undefined
    const { applied } = await migrateDatabase({ databaseUrl })
    return { applied }
  }

  protected override render({ applied }: MigrateOutput): string {
    return applied.length === 0
      ? 'Database is up to date.'
      : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}`
  }
}
