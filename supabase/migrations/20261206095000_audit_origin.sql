-- The audit log says from where (issue 16): the API token used (its name as it was then, so a
-- revoked or renamed token still reads right), the client's address (request.ip, which honours
-- AREA_TRUST_PROXY) and its User-Agent. Null for changes made outside an API request.
alter table area.audit_logs
  add column token_name text,
  add column address text,
  add column user_agent text;

-- `area audit` pages newest first by (created_at, id) within one user.
drop index if exists area.audit_logs_user_idx;
create index audit_logs_user_idx on area.audit_logs (user_id, created_at desc, id desc);
