/**
 * The worker's per-event writes as plain SQL: they run once or twice per event, so no query is
 * built and compiled each time (Kysely's builder cost more CPU than the statements themselves).
 * Outcome upserts keep a success final: a late duplicate never overwrites it.
 */
import { CompiledQuery } from 'kysely'
import type { ErrorClass } from '../engine/errors.js'
import type { JsonValue } from '../engine/types.js'
import { prepared } from './prepared.js'

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

/** The SQL of an upsert of `count` rows, their parameters first. */
function upsertSql(count: number): string {
  const values = Array.from({ length: count }, (_, i) => {
    const $ = (n: number) => `$${i * PER_ROW + n}`
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

const PER_ROW = 13

function pushRows(rows: readonly OutcomeRow[], params: unknown[]): void {
  for (const row of rows) {
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
  }
}

// Texts by shape, registered as prepared statements; events have few reactions, so few shapes.
const MAX_PREPARED_ROWS = 4
const texts = new Map<string, string>()
function statement(shape: string, rows: number, build: () => string): string {
  const key = `${shape}_${rows}`
  let text = texts.get(key)
  if (text === undefined) {
    text = build()
    if (rows <= MAX_PREPARED_ROWS) {
      prepared(`area_${key}`, text)
      texts.set(key, text)
    }
  }
  return text
}

export function upsertOutcomes(rows: readonly OutcomeRow[]): CompiledQuery {
  const params: unknown[] = []
  pushRows(rows, params)
  return CompiledQuery.raw(
    statement('outcomes', rows.length, () => upsertSql(rows.length)),
    params,
  )
}

export type EventEnd =
  | { kind: 'finish'; status: 'done' | 'skipped' | 'failed'; error: string | undefined }
  | { kind: 'release'; error: string }

/**
 * The event's end, with `rows` written in the same statement. Only the claim number `attempt`
 * ends the event: a worker taken over after its lease ran out still records its outcomes (they
 * happened), but the event is the new holder's to end.
 */
export function endEvent(
  hookLogId: string,
  attempt: number,
  end: EventEnd,
  rows: readonly OutcomeRow[],
): CompiledQuery {
  const params: unknown[] = []
  pushRows(rows, params)
  const at = params.length
  params.push(hookLogId, attempt)
  if (end.kind === 'finish') params.push(end.status, end.error ?? null)
  else params.push(end.error)
  const text = statement(end.kind, rows.length, () => {
    const outcomes = rows.length > 0 ? `with outcomes as (${upsertSql(rows.length)} returning 1) ` : ''
    const [id, n, a, b] = [`$${at + 1}::uuid`, `$${at + 2}::integer`, `$${at + 3}`, `$${at + 4}`]
    return end.kind === 'finish'
      ? `${outcomes}update area.hook_logs set status = ${a}, processed = true, claimed_until = null,
          error = ${b}, finished_at = now() where id = ${id} and attempts = ${n}`
      : // A retry's hand-back never reopens an event another attempt finished meanwhile.
        `${outcomes}update area.hook_logs set status = 'queued', claimed_until = null,
          error = ${a} where id = ${id} and attempts = ${n} and not processed`
  })
  return CompiledQuery.raw(text, params)
}
