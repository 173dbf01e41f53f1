/**
 * The daemon's public entry: what the CLI needs to run it (`area serve`, `area dev`) and to
 * migrate its database (`area db migrate`). src/commands and src/lib import the daemon through
 * this file only, so its internals can move without touching the CLI.
 */
import { migrate } from '../db/migrate.js'
import { openStore } from '../db/open.js'

export { ConfigError, type DaemonConfig, loadDaemonConfig, type Role, roles } from './config.js'
export { type DaemonContext, openDaemonContext } from './context.js'
export { type AppLogger, createLogger } from './logger.js'
export { type RunningDaemon, startRoles } from './roles.js'
export { openDaemonWhenReachable, StartTimeoutError } from './startup.js'

/**
 * Applies the pending migrations of a Postgres database, or of the embedded one in the data
 * directory without `databaseUrl`, and closes it. Safe through a transaction-mode pooler too
 * (src/db/migrate.ts says why); one connection is all it needs.
 */
export async function migrateDatabase(options: { databaseUrl?: string }): Promise<{ applied: string[] }> {
  const store = await openStore({ ...options, poolSize: 1, preparedStatements: false })
  return migrate(store).finally(() => store.close())
}
