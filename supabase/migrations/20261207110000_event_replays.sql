-- Replays (issue 16, `area replay`): a finished event is re-opened in place, so its reactions
-- keep their idempotency keys (<hookLogId>:<areaReactionId>) and what succeeded is skipped.
-- `replays` counts them; `replayed_at_attempt` is the attempt count when the last one re-opened
-- the event (`attempts` goes on counting: it is the claim's fencing token), so the logs show a
-- replay's attempts against a fresh budget; `replay_revision` is the AREA revision the replay
-- runs (null: the AREA as it stands). docs/architecture.md, "Replay".
alter table area.hook_logs
  add column replays integer not null default 0,
  add column replayed_at_attempt integer not null default 0,
  add column replay_revision integer;
