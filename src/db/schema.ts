/**
 * The Kysely view of supabase/migrations (schema `area`). Keys are table names without the
 * schema: `Store.db` already has `.withSchema('area')` applied. Keep this in step with the SQL.
 */
import type { ColumnType, Generated } from 'kysely'
import type { CatchUpMode } from '../engine/catch-up.js'
import type { ErrorClass } from '../engine/errors.js'
import type { JsonValue } from '../engine/types.js'

/** timestamptz with `default now()`: both drivers read a Date; a Date or an ISO string is written. */
export type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>
/** A nullable column added later: writers that predate it may leave it out (null). */
export type NullableAddedText = ColumnType<string | null, string | null | undefined, string | null>

/**
 * jsonb. Write values through `toJson()` (src/db/json.ts): node-postgres turns a raw JS array
 * into a Postgres array literal. JsonValue includes null, so SQL NULL and JSON null read back the
 * same, and Kysely treats every jsonb key as optional on insert: NOT NULL is left to the database.
 */
export type Json = JsonValue

export type UserServiceStatus = 'active' | 'refresh_failed' | 'revoked'
export type TriggerType = 'polling' | 'webhook'
export type HookJobStatus = 'active' | 'paused'
export type HookLogStatus = 'received' | 'queued' | 'processing' | 'done' | 'failed' | 'skipped'
export type HookLogKind = 'event' | 'poll_failure'
export type ExecutionStatus = 'running' | 'success' | 'failed' | 'skipped' | 'partial_success'

// Accounts

export interface UsersTable {
  id: Generated<string>
  email: string
  password_hash: string | null
  display_name: string | null
  supabase_user_id: string | null
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

export interface ApiTokensTable {
  id: Generated<string>
  user_id: string
  name: string
  token_hash: string
  last_used_at: NullableTimestamp
  expires_at: NullableTimestamp
  revoked_at: NullableTimestamp
  created_at: DefaultedTimestamp
}

// Catalog, synced from the service registry

export interface ServicesTable {
  id: Generated<string>
  key: string
  display_name: string
  description: Generated<string>
  auth_kind: string
  available: Generated<boolean>
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

export interface ServiceActionsTable {
  id: Generated<string>
  service_id: string
  key: string
  display_name: string
  description: Generated<string>
  polling_supported: boolean
  webhook_supported: boolean
  requires_connection: boolean
  default_polling_interval_seconds: number | null
  params_schema: Json
  available: Generated<boolean>
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

/** One param of an action or a reaction (the two params tables have the same columns). */
interface CatalogParamColumns {
  id: Generated<string>
  name: string
  type: string
  required: boolean
  description: Generated<string>
  default_value: Json | null
  schema: Json
  position: number
  created_at: DefaultedTimestamp
}

export interface ServiceActionParamsTable extends CatalogParamColumns {
  service_action_id: string
}

export interface ServiceReactionsTable {
  id: Generated<string>
  service_id: string
  key: string
  display_name: string
  description: Generated<string>
  requires_connection: boolean
  params_schema: Json
  available: Generated<boolean>
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

export interface ServiceReactionParamsTable extends CatalogParamColumns {
  service_reaction_id: string
}

// Connections

export interface UserServicesTable {
  id: Generated<string>
  user_id: string
  service_id: string
  name: string
  /** The kind the service declares (src/engine/credentials.ts), or `oauth2`; the SQL checks its shape only. */
  kind: string
  credentials_encrypted: string
  token_expires_at: NullableTimestamp
  /** Set while one process refreshes the OAuth tokens; past, or null, when nobody does. */
  refresh_lease_until: NullableTimestamp
  status: Generated<UserServiceStatus>
  status_detail: string | null
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

/** A user's named secret (`{{ secrets.NAME }}`); the value sealed by the SecretBox. */
export interface UserSecretsTable {
  id: Generated<string>
  user_id: string
  name: string
  value_encrypted: string
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

// AREAs

export interface AreasTable {
  id: Generated<string>
  user_id: string
  name: string
  description: Generated<string>
  labels: Generated<Json>
  enabled: Generated<boolean>
  spec: Json
  spec_hash: string
  revision: Generated<number>
  /** Who manages it (`apply --owner`), or null; see features/areas/ownership.ts. */
  owner: Generated<string | null>
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

export interface AreaActionsTable {
  id: Generated<string>
  area_id: string
  service_action_id: string
  user_service_id: string | null
  trigger_type: TriggerType
  /** `when:` on the action (a CEL bool), or null. */
  condition: string | null
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

export interface AreaActionParamValuesTable {
  id: Generated<string>
  area_action_id: string
  name: string
  /** The param as shown: each secret in it replaced by `<secret:FINGERPRINT>`. */
  value: Json
  /** The whole param as applied, JSON sealed by the SecretBox, when it holds a secret. */
  sealed: string | null
  created_at: DefaultedTimestamp
}

export interface AreaReactionsTable {
  id: Generated<string>
  area_id: string
  service_reaction_id: string
  user_service_id: string | null
  position: number
  ref: string
  phase: Generated<'main' | 'on_failure'>
  /** The AREA language's keys, normalized (src/engine/area.ts, ReactionPolicy); `{}` by default. */
  policy: Generated<Json>
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

export interface AreaReactionParamValuesTable {
  id: Generated<string>
  area_reaction_id: string
  name: string
  /** The param as shown: each secret in it replaced by `<secret:FINGERPRINT>`. */
  value: Json
  /** The whole param as applied, JSON sealed by the SecretBox, when it holds a secret. */
  sealed: string | null
  created_at: DefaultedTimestamp
}

// Triggers and events

export interface HookJobsTable {
  id: Generated<string>
  area_action_id: string
  type: TriggerType
  polling_interval_seconds: number | null
  schedule: Json | null
  next_run_at: NullableTimestamp
  last_run_at: NullableTimestamp
  webhook_secret_encrypted: string | null
  status: Generated<HookJobStatus>
  state: Json | null
  source_hash: string | null
  baseline_done: Generated<boolean>
  /** A failing poll: its last error, since when, and how many attempts in a row failed. */
  last_error: string | null
  failing_since: NullableTimestamp
  failed_attempts: Generated<number>
  /** What a late claim does with missed slots (`catch_up:` of the AREA file), and how many at most. */
  catch_up: Generated<CatchUpMode>
  catch_up_max: Generated<number>
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

/** Finished OAuth authorizations, by state nonce, until their state expires. */
export interface OauthStatesUsedTable {
  nonce: string
  expires_at: Date
}

export interface HookSeenTable {
  id: Generated<string>
  hook_job_id: string
  dedup_key: string
  seen_at: DefaultedTimestamp
}

/** A claimed polling slot not yet polled (docs/architecture.md, "Claim-based scheduling"). */
export interface PollSlotsTable {
  hook_job_id: string
  /** bigint: read it as text (`slot_ms::text`) or through src/store/poll-slots.ts. */
  slot_ms: ColumnType<string, number, never>
  claimed_at: DefaultedTimestamp
  enqueued_at: ColumnType<Date | null, Date | null | undefined, Date | null>
}

export interface HookLogsTable {
  id: Generated<string>
  hook_job_id: string
  area_id: string
  user_id: string
  delivery_id: string
  event_payload: Json
  detected_at: DefaultedTimestamp
  status: Generated<HookLogStatus>
  processed: Generated<boolean>
  attempts: Generated<number>
  claimed_until: NullableTimestamp
  error: string | null
  finished_at: NullableTimestamp
  /** 'poll_failure': a failed poll attempt, shown in the logs (no executions). */
  kind: Generated<HookLogKind>
  created_at: DefaultedTimestamp
  /** Times `area replay` re-opened the event (docs/architecture.md, "Replay"). */
  replays: Generated<number>
  /** `attempts` when the last replay re-opened it: a replay's attempts count from there. */
  replayed_at_attempt: Generated<number>
  /** The AREA revision the last replay runs; null: the AREA as it stands. */
  replay_revision: number | null
  /** The trace the event started in (W3C traceparent), for the sweeper's re-enqueue; null: off. */
  traceparent: string | null
}

export interface ExecutionLogsTable {
  id: Generated<string>
  area_id: string
  user_id: string
  hook_log_id: string
  area_action_id: string | null
  area_reaction_id: string | null
  reaction_ref: string
  status: ExecutionStatus
  attempt: Generated<number>
  started_at: DefaultedTimestamp
  finished_at: NullableTimestamp
  request_payload: Json | null
  response_payload: Json | null
  error_text: string | null
  error_class: ErrorClass | null
  created_at: DefaultedTimestamp
  /** The item of a `for_each` reaction (from 0); -1 for the reaction as a whole. */
  item_index: Generated<number>
}

export interface AuditLogsTable {
  id: Generated<string>
  user_id: string | null
  action_type: string
  target_resource: string | null
  metadata: Generated<Json>
  /** The API token's name when the change came through the API (migration audit_origin). */
  token_name: NullableAddedText
  /** The client's address (request.ip) and User-Agent; null outside an API request. */
  address: NullableAddedText
  user_agent: NullableAddedText
  created_at: DefaultedTimestamp
}

/** One applied version of an AREA, its document as areas.spec stored it (migration area_revisions). */
export interface AreaRevisionsTable {
  id: Generated<string>
  area_id: string
  revision: number
  spec: Json
  spec_hash: string
  changes: Generated<Json>
  applied_by: string | null
  applied_at: DefaultedTimestamp
}

export interface Database {
  users: UsersTable
  api_tokens: ApiTokensTable
  services: ServicesTable
  service_actions: ServiceActionsTable
  service_action_params: ServiceActionParamsTable
  service_reactions: ServiceReactionsTable
  service_reaction_params: ServiceReactionParamsTable
  user_services: UserServicesTable
  user_secrets: UserSecretsTable
  areas: AreasTable
  area_actions: AreaActionsTable
  area_action_param_values: AreaActionParamValuesTable
  area_reactions: AreaReactionsTable
  area_reaction_param_values: AreaReactionParamValuesTable
  hook_jobs: HookJobsTable
  hook_seen: HookSeenTable
  poll_slots: PollSlotsTable
  hook_logs: HookLogsTable
  execution_logs: ExecutionLogsTable
  audit_logs: AuditLogsTable
  area_revisions: AreaRevisionsTable
  oauth_states_used: OauthStatesUsedTable
}
