/**
 * Retention (AREA_LOG_RETENTION_DAYS): old finished events (with their execution logs, by
 * cascade) and old dedup keys are deleted in small batches, so pruning never holds long locks.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'

export interface PruneResult {
  hookLogs: number
  hookSeen: number
}

export async function pruneOldRecords(
  db: Kysely<Database>,
  options: { retentionDays: number; batchSize?: number; maxBatches?: number },
): Promise<PruneResult> {
  const batchSize = options.batchSize ?? 5_000
  const maxBatches = options.maxBatches ?? 100
  const days = options.retentionDays
  const hookLogs = await deleteInBatches(
    db,
    () => sql`
      delete from area.hook_logs where id in (
        select id from area.hook_logs
        where processed and detected_at < now() - make_interval(days => ${days})
        limit ${batchSize}
      )`,
    batchSize,
    maxBatches,
  )
  // A key still returned by its source keeps a fresh seen_at (see polls.ts), so only keys that
  // left their source long ago go; a key pruned too early would fire its item again.
  const hookSeen = await deleteInBatches(
    db,
    () => sql`
      delete from area.hook_seen where id in (
        select id from area.hook_seen
        where seen_at < now() - make_interval(days => ${Math.max(days, 7)})
        limit ${batchSize}
      )`,
    batchSize,
    maxBatches,
  )
  return { hookLogs, hookSeen }
}

async function deleteInBatches(
  db: Kysely<Database>,
  statement: () => ReturnType<typeof sql>,
  batchSize: number,
  maxBatches: number,
): Promise<number> {
  let total = 0
  for (let batch = 0; batch < maxBatches; batch++) {
    const result = await statement().execute(db)
    const deleted = Number(result.numAffectedRows ?? 0)
    total += deleted
    if (deleted < batchSize) break
  }
  return total
}
