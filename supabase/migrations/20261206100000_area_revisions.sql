-- AREA revisions (issue 16): each apply that writes an AREA keeps its document as stored in
-- areas.spec (secret params as their <secret:…> placeholders, never plaintext), so `area history`
-- lists them and `area rollback` re-applies one. Only the last AREA_MAX_REVISIONS_PER_AREA of an
-- AREA are kept; deleting the AREA deletes its revisions.
create table area.area_revisions (
  id uuid primary key default gen_random_uuid(),
  area_id uuid not null references area.areas (id) on delete cascade,
  revision integer not null,
  spec jsonb not null,
  spec_hash text not null,
  -- Top-level parts that changed from the revision before (description, action, reactions, …).
  changes jsonb not null default '[]'::jsonb,
  -- The API token's name that applied it; null outside the API or before this migration.
  applied_by text,
  applied_at timestamptz not null default now(),
  unique (area_id, revision)
);

-- Every AREA starts its history with what it holds now.
insert into area.area_revisions (area_id, revision, spec, spec_hash, applied_at)
select id, revision, spec, spec_hash, updated_at from area.areas;

alter table area.area_revisions enable row level security;

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    revoke all on area.area_revisions from anon;
  end if;
  if exists (select 1 from pg_roles where rolname = 'authenticated') then
    revoke all on area.area_revisions from authenticated;
  end if;
end $$;
