-- Traces (docs/architecture.md, "Traces"): the W3C traceparent an event's execution job carries
-- is also kept on the event, so that an event whose job Redis lost, and which the sweeper
-- enqueues again from Postgres, continues the trace it started in (the webhook request, the poll,
-- the manual run) instead of starting a new one. Null when tracing was off.
alter table area.hook_logs add column traceparent text;
