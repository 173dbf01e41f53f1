/**
 * How the daemon reaches Postgres: directly, or through a connection pooler (Supabase's
 * Supavisor, PgBouncer) in session or transaction mode. In transaction mode consecutive
 * statements outside a transaction may reach different server connections, so nothing may rely on
 * per-connection state: named prepared statements are the one thing area uses that does
 * (docs/architecture.md, "Behind a connection pooler").
 */

export type PoolMode = 'direct' | 'session' | 'transaction'
export const poolModes: readonly PoolMode[] = ['direct', 'session', 'transaction']

/** Supabase's pooler answers in transaction mode on this port (session mode on 5432). */
const SUPABASE_TRANSACTION_PORT = '6543'

/**
 * The mode a URL most likely reaches when the operator did not say: Supabase's transaction port,
 * or `pgbouncer=true` in the query (the convention Prisma made common), mean transaction mode.
 */
export function guessPoolMode(databaseUrl: string): PoolMode {
  const url = parseUrl(databaseUrl)
  if (!url) return 'direct'
  if (url.searchParams.get('pgbouncer') === 'true') return 'transaction'
  return url.port === SUPABASE_TRANSACTION_PORT ? 'transaction' : 'direct'
}

/** The URL without our `pgbouncer` hint, which node-postgres would otherwise pass on. */
export function withoutPoolerHint(databaseUrl: string): string {
  const url = parseUrl(databaseUrl)
  if (!url?.searchParams.has('pgbouncer')) return databaseUrl
  url.searchParams.delete('pgbouncer')
  return url.toString()
}

/**
 * SQLSTATEs a pooler in transaction mode produces for named statements: the name was prepared on
 * another server connection (26000), or another client prepared it on this one (42P05).
 */
export function isPreparedStatementMismatch(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '26000' || code === '42P05'
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}
