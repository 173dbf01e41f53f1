-- area: initial schema. Everything lives in schema `area`, never `public`: on Supabase, `public`
-- is exposed through the REST API to anyone holding the anon key, and these tables hold
-- credentials. RLS is enabled on every table with no policy, so only the owner (the daemon's
-- own connection) can read or write them.

create schema if not exists area;

-- Accounts ----------------------------------------------------------------------------------

create table area.users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  password_hash text,
  display_name text,
  supabase_user_id uuid unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_lower_key on area.users (lower(email));

create table area.api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references area.users (id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
-- A name identifies one live token per user (`area tokens revoke <name>`).
create unique index api_tokens_user_name_live_key on area.api_tokens (user_id, name) where revoked_at is null;

create table area.oauth_identities (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references area.users (id) on delete cascade,
  provider text not null,
  provider_user_id text not null,
  scope text,
  created_at timestamptz not null default now(),
  unique (provider, provider_user_id)
);
create index oauth_identities_user_idx on area.oauth_identities (user_id);

-- Catalog, synced from the service registry at start ------------------------------------------

create table area.services (
  id uuid primary key default gen_random_uuid(),
  key text not null unique,
  display_name text not null,
  description text not null default '',
  auth_kind text not null,
  available boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table area.service_actions (
  id uuid primary key default gen_random_uuid(),
  service_id uuid not null references area.services (id) on delete cascade,
  key text not null,
  display_name text not null,
  description text not null default '',
  polling_supported boolean not null,
  webhook_supported boolean not null,
  requires_connection boolean not null,
  default_polling_interval_seconds integer,
  params_schema jsonb not null,
  available boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (service_id, key)
);

create table area.service_action_params (
  id uuid primary key default gen_random_uuid(),
  service_action_id uuid not null references area.service_actions (id) on delete cascade,
  name text not null,
  type text not null,
  required boolean not null,
  description text not null default '',
  default_value jsonb,
  schema jsonb not null,
  position integer not null,
  created_at timestamptz not null default now(),
  unique (service_action_id, name)
);

create table area.service_reactions (
  id uuid primary key default gen_random_uuid(),
  service_id uuid not null references area.services (id) on delete cascade,
  key text not null,
  display_name text not null,
  description text not null default '',
  requires_connection boolean not null,
  params_schema jsonb not null,
  available boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (service_id, key)
);

create table area.service_reaction_params (
  id uuid primary key default gen_random_uuid(),
  service_reaction_id uuid not null references area.service_reactions (id) on delete cascade,
  name text not null,
  type text not null,
  required boolean not null,
  description text not null default '',
  default_value jsonb,
  schema jsonb not null,
  position integer not null,
  created_at timestamptz not null default now(),
  unique (service_reaction_id, name)
);

-- Connections: one user's credentials for one service -----------------------------------------

create table area.user_services (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references area.users (id) on delete cascade,
  service_id uuid not null references area.services (id),
  name text not null,
  kind text not null check (kind in ('token', 'oauth2', 'webhook_url', 'smtp')),
  credentials_encrypted text not null,
  token_expires_at timestamptz,
  status text not null default 'active' check (status in ('active', 'refresh_failed', 'revoked')),
  status_detail text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (user_id, name)
);
create index user_services_expiring_idx on area.user_services (token_expires_at) where kind = 'oauth2';

-- AREAs ---------------------------------------------------------------------------------------

create table area.areas (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references area.users (id) on delete cascade,
  name text not null check (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  description text not null default '',
  labels jsonb not null default '{}'::jsonb,
  enabled boolean not null default true,
  -- The normalized spec as applied: the source of `export` and `diff`.
  spec jsonb not null,
  spec_hash text not null,
  revision integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (user_id, name)
);

create table area.area_actions (
  id uuid primary key default gen_random_uuid(),
  area_id uuid not null unique references area.areas (id) on delete cascade,
  service_action_id uuid not null references area.service_actions (id),
  -- Restrict: a connection in use cannot be removed from under an AREA.
  user_service_id uuid references area.user_services (id) on delete restrict,
  trigger_type text not null check (trigger_type in ('polling', 'webhook')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index area_actions_user_service_idx on area.area_actions (user_service_id);

create table area.area_action_param_values (
  id uuid primary key default gen_random_uuid(),
  area_action_id uuid not null references area.area_actions (id) on delete cascade,
  name text not null,
  value jsonb not null,
  created_at timestamptz not null default now(),
  unique (area_action_id, name)
);

create table area.area_reactions (
  id uuid primary key default gen_random_uuid(),
  area_id uuid not null references area.areas (id) on delete cascade,
  service_reaction_id uuid not null references area.service_reactions (id),
  user_service_id uuid references area.user_services (id) on delete restrict,
  position integer not null,
  ref text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Rows are kept by `ref` across re-applies (execution_logs point at them), so positions may
  -- swap inside one transaction: the uniqueness is checked at commit.
  constraint area_reactions_position_key unique (area_id, position) deferrable initially deferred,
  unique (area_id, ref)
);
create index area_reactions_user_service_idx on area.area_reactions (user_service_id);

create table area.area_reaction_param_values (
  id uuid primary key default gen_random_uuid(),
  area_reaction_id uuid not null references area.area_reactions (id) on delete cascade,
  name text not null,
  value jsonb not null,
  created_at timestamptz not null default now(),
  unique (area_reaction_id, name)
);

-- Triggers and events -------------------------------------------------------------------------

create table area.hook_jobs (
  id uuid primary key default gen_random_uuid(),
  area_action_id uuid not null unique references area.area_actions (id) on delete cascade,
  type text not null check (type in ('polling', 'webhook')),
  polling_interval_seconds integer check (polling_interval_seconds is null or polling_interval_seconds > 0),
  -- For cron schedules: { kind: 'cron', expression, timezone }; null means a fixed interval.
  schedule jsonb,
  next_run_at timestamptz,
  last_run_at timestamptz,
  webhook_secret_encrypted text,
  status text not null default 'active' check (status in ('active', 'paused')),
  -- The poll cursor, and whether the first (baseline) poll has happened.
  state jsonb,
  -- Hash of what is polled (service, action, params): when it changes, the baseline starts over.
  source_hash text,
  baseline_done boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- The scheduler's claim query: due, active polling jobs in next_run_at order.
create index hook_jobs_due_idx on area.hook_jobs (next_run_at) where type = 'polling' and status = 'active';

create table area.hook_seen (
  id uuid primary key default gen_random_uuid(),
  hook_job_id uuid not null references area.hook_jobs (id) on delete cascade,
  dedup_key text not null,
  seen_at timestamptz not null default now(),
  unique (hook_job_id, dedup_key)
);
create index hook_seen_seen_at_idx on area.hook_seen (seen_at);

create table area.hook_logs (
  id uuid primary key default gen_random_uuid(),
  hook_job_id uuid not null references area.hook_jobs (id) on delete cascade,
  -- Denormalized so logs filter by AREA and owner without joins.
  area_id uuid not null references area.areas (id) on delete cascade,
  user_id uuid not null references area.users (id) on delete cascade,
  delivery_id text not null,
  event_payload jsonb not null,
  detected_at timestamptz not null default now(),
  status text not null default 'received'
    check (status in ('received', 'queued', 'processing', 'done', 'failed', 'skipped')),
  processed boolean not null default false,
  attempts integer not null default 0,
  -- Set while a worker owns the event; a claim older than the lease is considered abandoned.
  claimed_until timestamptz,
  error text,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  unique (hook_job_id, delivery_id)
);
-- The sweeper's query: unprocessed events, oldest first.
create index hook_logs_unprocessed_idx on area.hook_logs (detected_at) where not processed;
create index hook_logs_area_idx on area.hook_logs (area_id, detected_at desc);
create index hook_logs_detected_at_idx on area.hook_logs (detected_at);

create table area.execution_logs (
  id uuid primary key default gen_random_uuid(),
  area_id uuid not null references area.areas (id) on delete cascade,
  user_id uuid not null references area.users (id) on delete cascade,
  hook_log_id uuid not null references area.hook_logs (id) on delete cascade,
  area_action_id uuid references area.area_actions (id) on delete set null,
  area_reaction_id uuid references area.area_reactions (id) on delete set null,
  reaction_ref text not null,
  status text not null check (status in ('running', 'success', 'failed', 'skipped', 'partial_success')),
  attempt integer not null default 1,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  request_payload jsonb,
  response_payload jsonb,
  error_text text,
  error_class text check (error_class is null or error_class in ('retryable', 'permanent')),
  created_at timestamptz not null default now(),
  -- Effectively-once: one row per (event, reaction); a retry finds the success and skips it.
  unique (hook_log_id, area_reaction_id)
);
create index execution_logs_area_idx on area.execution_logs (area_id, created_at desc);
create index execution_logs_user_idx on area.execution_logs (user_id, created_at desc);
create index execution_logs_created_at_idx on area.execution_logs (created_at);

create table area.audit_logs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references area.users (id) on delete set null,
  action_type text not null,
  target_resource text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index audit_logs_user_idx on area.audit_logs (user_id, created_at desc);

-- Row level security: on, with no policy. The owner role bypasses it; Supabase's `anon` and
-- `authenticated` roles get nothing.
do $$
declare t text;
begin
  foreach t in array array[
    'users', 'api_tokens', 'oauth_identities', 'services', 'service_actions', 'service_action_params',
    'service_reactions', 'service_reaction_params', 'user_services', 'areas', 'area_actions',
    'area_action_param_values', 'area_reactions', 'area_reaction_param_values', 'hook_jobs',
    'hook_seen', 'hook_logs', 'execution_logs', 'audit_logs'
  ] loop
    execute format('alter table area.%I enable row level security', t);
  end loop;
end $$;

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    revoke all on schema area from anon;
    revoke all on all tables in schema area from anon;
  end if;
  if exists (select 1 from pg_roles where rolname = 'authenticated') then
    revoke all on schema area from authenticated;
    revoke all on all tables in schema area from authenticated;
  end if;
end $$;
