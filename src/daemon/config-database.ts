/**
 * How the daemon connects to Postgres: the pooler in front of it (if any), a direct URL for
 * migrations, named prepared statements and this process's share of connections
 * (docs/architecture.md, "Behind a connection pooler").
 */
import { guessPoolMode, type PoolMode, poolModes } from '../db/pooler.js'
import type { Role } from './config.js'
import { type Env, integer } from './config-values.js'

export interface DatabaseSettings {
  /** DATABASE_DIRECT_URL: migrations run there when set, bypassing the pooler. */
  directUrl: string | undefined
  poolMode: PoolMode
  /** Whether `poolMode` was set or guessed from the URL (the start log says which). */
  poolModeGuessed: boolean
  preparedStatements: boolean
  /** Connections this process may hold; the chart multiplies it by replicas for the total. */
  poolSize: number
}

/** A scheduler runs one claim at a time plus the sweep and pruning; the others serve many at once. */
export function defaultPoolSize(roles: readonly Role[]): number {
  return roles.every((role) => role === 'scheduler') ? 4 : 10
}

export function readDatabaseSettings(
  env: Env,
  databaseUrl: string | undefined,
  roles: readonly Role[],
  problems: string[],
): DatabaseSettings {
  const directUrl = env.DATABASE_DIRECT_URL || undefined
  if (directUrl && !databaseUrl) {
    problems.push(
      'DATABASE_DIRECT_URL is set without DATABASE_URL: set DATABASE_URL to the pooled connection, or unset DATABASE_DIRECT_URL to use the embedded database',
    )
  }
  if (directUrl && !/^postgres(ql)?:\/\//.test(directUrl)) {
    problems.push(
      `DATABASE_DIRECT_URL must be a postgres:// connection string (got "${directUrl.slice(0, 40)}")`,
    )
  }
  const rawMode = env.AREA_DATABASE_POOL_MODE || undefined
  let poolMode: PoolMode = databaseUrl ? guessPoolMode(databaseUrl) : 'direct'
  if (rawMode !== undefined) {
    if ((poolModes as readonly string[]).includes(rawMode)) poolMode = rawMode as PoolMode
    else problems.push(`AREA_DATABASE_POOL_MODE must be one of ${poolModes.join(', ')} (got "${rawMode}")`)
  }
  const rawPrepared = env.AREA_PREPARED_STATEMENTS || undefined
  let preparedStatements = poolMode !== 'transaction'
  if (rawPrepared !== undefined) {
    if (rawPrepared === 'on' || rawPrepared === 'off') preparedStatements = rawPrepared === 'on'
    else problems.push(`AREA_PREPARED_STATEMENTS must be "on" or "off" (got "${rawPrepared}")`)
  }
  return {
    directUrl,
    poolMode,
    poolModeGuessed: rawMode === undefined,
    preparedStatements,
    poolSize: integer(env, 'AREA_DATABASE_POOL_SIZE', defaultPoolSize(roles), problems, { min: 1, max: 500 }),
  }
}
