-- OAuth authorizations already finished, by the nonce of their sealed state. The state itself
-- travels through the browser (any API replica can open it); this table makes "accepted once"
-- hold across replicas too, where an in-process set could not. A row is useless once its state
-- has expired (ten minutes after it was made), and is deleted then.
create table area.oauth_states_used (
  nonce text primary key,
  expires_at timestamptz not null
);

alter table area.oauth_states_used enable row level security;

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    revoke all on area.oauth_states_used from anon;
  end if;
  if exists (select 1 from pg_roles where rolname = 'authenticated') then
    revoke all on area.oauth_states_used from authenticated;
  end if;
end $$;
