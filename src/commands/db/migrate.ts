import { Flags } from '@oclif/core'
import { migrate } from '../../db/migrate.js'
import { openStore } from '../../db/open.js'
import { BaseCommand } from '../../lib/base-command.js'

export default class DbMigrate extends BaseCommand<typeof DbMigrate> {
  static override summary = 'Apply the pending database migrations.'
  static override description =
    `Applies the SQL files of supabase/migrations that the database has not run yet, in file-name order and in one transaction: if one fails, none is kept. Without DATABASE_URL it migrates the embedded database in the data directory (AREA_DATA_DIR). Several processes may run it at once (replicas starting together): one applies, the others wait and find nothing to do.`

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
  }

  async run(): Promise<void> {
    const store = await openStore({ databaseUrl: this.flags['database-url'] || undefined })
    const { applied } = await migrate(store).finally(() => store.close())
    this.print({ applied }, () =>
      applied.length === 0
        ? 'Database is up to date.'
        : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}`,
    )
  }
}
