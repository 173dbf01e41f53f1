-- area.oauth_identities was created for provider identities linked through Supabase Auth, and
-- never read or written: connections (user_services) hold what a service needs, and Supabase
-- Auth users are linked by users.supabase_user_id. Dropped rather than kept as dead schema.
drop table if exists area.oauth_identities;
