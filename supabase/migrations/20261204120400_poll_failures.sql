-- A failing poll is visible (issue 12): the hook job keeps its last error, since when it has been
-- failing and how many attempts in a row failed; a successful poll clears the three. Each failed
-- attempt is also a row of hook_logs of kind 'poll_failure' (status failed, no executions), so
-- `area logs`, GET /v1/logs and the log stream show it where events are shown.
alter table area.hook_jobs
  add column last_error text,
  add column failing_since timestamptz,
  add column failed_attempts integer not null default 0;

alter table area.hook_logs
  add column kind text not null default 'event' check (kind in ('event', 'poll_failure'));
