-- `area logs` without an AREA name lists one user's events newest first, paged on
-- (detected_at, id); `area logs --follow` reads that user's newest events every half second.
-- Without this index both scan every user's events.
create index hook_logs_user_detected_idx on area.hook_logs (user_id, detected_at desc, id desc);
