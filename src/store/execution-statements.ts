/**
 * The worker's per-event writes as plain SQL: they run once or twice per event, so no query is
 * built and compiled each time (Kysely's builder cost more CPU than the statements themselves).
 * Outcome upserts keep a success final: a late duplicate never overwrites it.
 */
import { CompiledQuery } from 'kysely'
import type { ErrorClass } from '../engine/errors.js'
import type { JsonValue } from '../engine/types.js'

export interface OutcomeRow {
  areaId: string
  userId: string
  hookLogId: string
  areaActionId: string
  areaReactionId: string
  reactionRef: string
  status: 'running' | 'success' | 'failed'
  attempt: number
  startedAt: Date
  request: JsonValue | undefined
  response: JsonValue | undefined
  error: string | undefined
  errorClass: ErrorClass | undefined
}

function upsertSql(rows: readonly OutcomeRow[], params: unknown[]): string {
  const values = rows.map((row) => {
    const at = params.length
    params.push(
      row.areaId,
      row.userId,
      row.hookLogId,
      row.areaActionId,
      row.areaReactionId,
      row.reactionRef,
      row.status,
      row.attempt,
      row.startedAt,
      row.request === undefined ? null : JSON.stringify(row.request),
      row.response === undefined ? null : JSON.stringify(row.response),
      row.error ?? null,
      row.errorClass ?? null,
    )
    const $ = (n: number) => `$${at + n}`
    return `(${$(1)}::uuid, ${$(2)}::uuid, ${$(3)}::uuid, ${$(4)}::uuid, ${$(5)}::uuid, ${$(6)}, ${$(7)},
      ${$(8)}::integer, ${$(9)}::timestamptz, case when ${$(7)} = 'running' then null else now() end,
      ${$(10)}::jsonb, ${$(11)}::jsonb, ${$(12)}, ${$(13)})`
  })
  return `insert into area.execution_logs (area_id, user_id, hook_log_id, area_action_id,
      area_reaction_id, reaction_ref, status, attempt, started_at, finished_at, request_payload,
      response_payload, error_text, error_class)
    values ${values.join(', ')}
    on conflict (hook_log_id, area_reaction_id) do update set
      status = excluded.status, attempt = excluded.attempt, started_at = excluded.started_at,
      finished_at = excluded.finished_at, request_payload = excluded.request_payload,
      response_payload = excluded.response_payload, error_text = excluded.error_text,
      error_class = excluded.error_class
    where execution_logs.status <> 'success'`
}

export function upsertOutcomes(rows: readonly OutcomeRow[]): CompiledQuery {
  const params: unknown[] = []
  return CompiledQuery.raw(upsertSql(rows, params), params)
}

export type EventEnd =
  | { kind: 'finish'; status: 'done' | 'skipped' | 'failed'; error: string | undefined }
  | { kind: 'release'; error: string }

/** The event's end, with `rows` written in the same statement. */
export function endEvent(hookLogId: string, end: EventEnd, rows: readonly OutcomeRow[]): CompiledQuery {
  const params: unknown[] = []
  const outcomes = rows.length > 0 ? `with outcomes as (${upsertSql(rows, params)} returning 1) ` : ''
  params.push(hookLogId)
  const id = `$${params.length}::uuid`
  if (end.kind === 'finish') {
    params.push(end.status, end.error ?? null)
    const [status, error] = [`$${params.length - 1}`, `$${params.length}`]
    return CompiledQuery.raw(
      `${outcomes}update area.hook_logs set status = ${status}, processed = true, claimed_until = null,
        error = ${error}, finished_at = now() where id = ${id}`,
      params,
    )
  }
  params.push(end.error)
  // A retry's hand-back never reopens an event another attempt finished meanwhile.
  return CompiledQuery.raw(
    `${outcomes}update area.hook_logs set status = 'queued', claimed_until = null,
      error = $${params.length} where id = ${id} and not processed`,
    params,
  )
}
