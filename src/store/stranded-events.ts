/**
 * The outbox sweep (docs/architecture.md, "Postgres is the outbox"): events committed to
 * hook_logs but not finished, and owned by no live worker, after a grace period. They are enqueued again with their deterministic job id, so
 * an event whose job is still in the queue is not doubled, and one lost with Redis is recovered.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'

export interface StrandedEvent {
  hookLogId: string
  areaActionId: string
  /** The trace the event started in, which its job continues again (null column: absent). */
  traceparent?: string
}

export async function findStrandedEvents(
  db: Kysely<Database>,
  options: { olderThanSeconds: number; limit: number },
): Promise<StrandedEvent[]> {
  const { rows } = await sql<{ hook_log_id: string; area_action_id: string; traceparent: string | null }>`
    select l.id as hook_log_id, j.area_action_id, l.traceparent
    from area.hook_logs l
    join area.hook_jobs j on j.id = l.hook_job_id
    where not l.processed
      and l.detected_at < now() - make_interval(secs => ${options.olderThanSeconds})
      and (l.claimed_until is null or l.claimed_until < now())
    order by l.detected_at
    limit ${options.limit}
  `.execute(db)
  return rows.map((r) => ({
    hookLogId: r.hook_log_id,
    areaActionId: r.area_action_id,
    ...(r.traceparent === null ? {} : { traceparent: r.traceparent }),
  }))
}
