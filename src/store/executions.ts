/**
 * The engine's ExecutionPort on `execution_logs`: one row per (event, reaction), so a retry
 * finds what already succeeded and skips it (effectively-once, DESIGN §2.6).
 */
import { type Kysely, sql } from 'kysely'
import type { LoadedReaction } from '../engine/area.js'
import type { ExecutionPort, PreviousOutcome } from '../engine/run.js'
import type { JsonValue } from '../engine/types.js'
import { toJson } from './json.js'
import type { Database } from './schema.js'

export interface ExecutionScope {
  hookLogId: string
  areaId: string
  userId: string
  areaActionId: string
  attempt: number
}

const maxErrorLength = 4_000

export function createExecutionPort(db: Kysely<Database>, scope: ExecutionScope): ExecutionPort {
  const upsert = (
    reaction: LoadedReaction,
    values: {
      status: 'running' | 'success' | 'failed'
      request: JsonValue | undefined
      response?: JsonValue | undefined
      error?: string
      errorClass?: 'retryable' | 'permanent'
    },
  ) => {
    const finished = values.status === 'running' ? null : sql<Date>`now()`
    const row = {
      status: values.status,
      attempt: scope.attempt,
      request_payload: values.request === undefined ? null : toJson(values.request),
      response_payload: values.response === undefined ? null : toJson(values.response),
      error_text: values.error?.slice(0, maxErrorLength) ?? null,
      error_class: values.errorClass ?? null,
      finished_at: finished,
    }
    return db
      .insertInto('execution_logs')
      .values({
        area_id: scope.areaId,
        user_id: scope.userId,
        hook_log_id: scope.hookLogId,
        area_action_id: scope.areaActionId,
        area_reaction_id: reaction.id,
        reaction_ref: reaction.ref,
        ...row,
      })
      .onConflict((oc) =>
        oc
          .columns(['hook_log_id', 'area_reaction_id'])
          .doUpdateSet({
            ...row,
            ...(values.status === 'running' ? { started_at: sql<Date>`now()` } : {}),
          })
          // A success is final: a late duplicate never overwrites it.
          .where('execution_logs.status', '<>', 'success'),
      )
      .execute()
  }

  return {
    async previousOutcomes() {
      const rows = await db
        .selectFrom('execution_logs')
        .select(['area_reaction_id', 'status', 'response_payload'])
        .where('hook_log_id', '=', scope.hookLogId)
        .execute()
      const outcomes = new Map<string, PreviousOutcome>()
      for (const row of rows) {
        if (row.area_reaction_id) {
          outcomes.set(row.area_reaction_id, {
            status: row.status,
            output: row.response_payload ?? undefined,
          })
        }
      }
      return outcomes
    },
    async started(reaction, request) {
      await upsert(reaction, { status: 'running', request })
    },
    async succeeded(reaction, request, output) {
      await upsert(reaction, { status: 'success', request, response: output })
    },
    async failed(reaction, request, error, errorClass) {
      await upsert(reaction, { status: 'failed', request, error, errorClass })
    },
  }
}
