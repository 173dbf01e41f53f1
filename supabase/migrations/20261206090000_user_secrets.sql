-- User secrets (issue 15): named values a user stores once (`area secrets set NAME`) and AREAs read
-- as `{{ secrets.NAME }}` in reaction params. The value is sealed by the SecretBox (AES-256-GCM
-- with AREA_ENCRYPTION_KEY) before it reaches this table, opened only by the worker when it renders
-- a reaction, and never returned by the API. The name pattern is the one the API checks
-- (src/engine/user-secrets.ts); the check here keeps a bad row out whatever writes it.
create table area.user_secrets (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references area.users (id) on delete cascade,
  name text not null check (name ~ '^[A-Z][A-Z0-9_]{0,63}$'),
  value_encrypted text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (user_id, name)
);

alter table area.user_secrets enable row level security;

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    revoke all on area.user_secrets from anon;
  end if;
  if exists (select 1 from pg_roles where rolname = 'authenticated') then
    revoke all on area.user_secrets from authenticated;
  end if;
end $$;
