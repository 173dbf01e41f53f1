-- The kinds of connections are declared by the services (src/services/<id>/, see
-- src/engine/credentials.ts), not listed here: a service with a new kind of credentials needs no
-- migration. The database checks only that a kind is a name (credentialKindPattern).
alter table area.user_services drop constraint if exists user_services_kind_check;
alter table area.user_services drop constraint if exists user_services_kind_shape;
alter table area.user_services
  add constraint user_services_kind_shape check (kind ~ '^[a-z][a-z0-9_]{0,62}$');
