/**
 * The worker's per-event writes as one plain SQL statement: outcomes upserted and events ended,
 * for any number of events at once (concurrent jobs share statements, see execution-writer.ts).
 * Arrays, one per column, keep it a single text, prepared once per connection whatever the
 * count (Kysely's builder cost more CPU than the statements themselves). Outcome upserts keep a
 * success final: a late duplicate never overwrites it.
 */
import { CompiledQuery } from 'kysely'
import { prepared } from '../db/prepared.js'
import type { ErrorClass } from '../engine/errors.js'
import type { JsonValue } from '../engine/types.js'

export interface OutcomeRow {
  areaId: string
  userId: string
  hookLogId: string
  areaActionId: string
  areaReactionId: string
  reactionRef: string
  /** The item of a `for_each` (from 0); -1 for the reaction as a whole. */
  itemIndex: number
  status: 'running' | 'success' | 'failed' | 'skipped'
  attempt: number
  startedAt: Date
  request: JsonValue | undefined
  response: JsonValue | undefined
  error: string | undefined
  errorClass: ErrorClass | undefined
}

export type EventEnd =
  | { kind: 'finish'; status: 'done' | 'skipped' | 'failed'; error: string | undefined }
  | { kind: 'release'; error: string }

/**
 * An event's end. Only the claim number `attempt` ends the event: a worker taken over after its
 * lease ran out still records its outcomes (they happened), but the event is the new holder's.
 */
export interface EndRow {
  hookLogId: string
  attempt: number
  end: EventEnd
}

const WRITE_SQL = prepared(
  'area_write_outcomes_and_ends',
  `
  with outcomes as (
    insert into area.execution_logs (area_id, user_id, hook_log_id, area_action_id,
      area_reaction_id, reaction_ref, status, attempt, started_at, finished_at, request_payload,
      response_payload, error_text, error_class, item_index)
    select area_id, user_id, hook_log_id, area_action_id, area_reaction_id, reaction_ref, status,
      attempt, started_at, case when status = 'running' then null else now() end,
      request::jsonb, response::jsonb, error_text, error_class, item_index
    from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[],
      $8::integer[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::text[],
      $19::integer[])
      as v(area_id, user_id, hook_log_id, area_action_id, area_reaction_id, reaction_ref, status,
        attempt, started_at, request, response, error_text, error_class, item_index)
    on conflict (hook_log_id, area_reaction_id, item_index) do update set
      status = excluded.status, attempt = excluded.attempt, started_at = excluded.started_at,
      finished_at = excluded.finished_at, request_payload = excluded.request_payload,
      response_payload = excluded.response_payload, error_text = excluded.error_text,
      error_class = excluded.error_class
    where execution_logs.status <> 'success'
    returning 1
  )
  update area.hook_logs h
     set status = e.status, processed = h.processed or e.finish, claimed_until = null,
         error = e.error, finished_at = case when e.finish then now() else h.finished_at end
    from unnest($14::uuid[], $15::integer[], $16::text[], $17::text[], $18::boolean[])
      as e(id, attempt, status, error, finish)
   -- A retry's hand-back never reopens an event another attempt finished meanwhile.
   where h.id = e.id and h.attempts = e.attempt and (e.finish or not h.processed)`,
)

/** Outcomes and ends of any number of events, in one statement. */
export function writeOutcomesAndEnds(rows: readonly OutcomeRow[], ends: readonly EndRow[]): CompiledQuery {
  const column = <T>(of: (row: OutcomeRow) => T) => rows.map(of)
  const json = (value: JsonValue | undefined) => (value === undefined ? null : JSON.stringify(value))
  return CompiledQuery.raw(WRITE_SQL, [
    column((r) => r.areaId),
    column((r) => r.userId),
    column((r) => r.hookLogId),
    column((r) => r.areaActionId),
    column((r) => r.areaReactionId),
    column((r) => r.reactionRef),
    column((r) => r.status),
    column((r) => r.attempt),
    // ISO strings: both drivers read them into timestamptz[] alike.
    column((r) => r.startedAt.toISOString()),
    column((r) => json(r.request)),
    column((r) => json(r.response)),
    column((r) => r.error ?? null),
    column((r) => r.errorClass ?? null),
    ends.map((e) => e.hookLogId),
    ends.map((e) => e.attempt),
    ends.map((e) => (e.end.kind === 'finish' ? e.end.status : 'queued')),
    ends.map((e) => e.end.error ?? null),
    ends.map((e) => e.end.kind === 'finish'),
    column((r) => r.itemIndex),
  ])
}
