-- Claimed polling slots not yet polled: the outbox of the poll path (docs/architecture.md,
-- "Claim-based scheduling"). The scheduler's claim inserts a row in the transaction that advances
-- the hook job, and enqueues the `poll` job after the commit; the poll's own commit deletes the
-- row. A row left behind (the job lost with Redis, an enqueue that failed) is enqueued again by
-- the scheduler's sweep under the same job id, `poll-<hookJobId>-<slotMs>`. The table holds only
-- unfinished slots, so it stays small.
create table area.poll_slots (
  hook_job_id uuid not null references area.hook_jobs (id) on delete cascade,
  -- The slot in epoch milliseconds, exactly as in the job id (a timestamptz keeps microseconds).
  slot_ms bigint not null,
  claimed_at timestamptz not null default now(),
  -- The last enqueue believed to have reached the queue; null: enqueue it at the next sweep.
  enqueued_at timestamptz default now(),
  primary key (hook_job_id, slot_ms)
);
create index poll_slots_enqueued_at_idx on area.poll_slots (enqueued_at nulls first);

alter table area.poll_slots enable row level security;

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    revoke all on area.poll_slots from anon;
  end if;
  if exists (select 1 from pg_roles where rolname = 'authenticated') then
    revoke all on area.poll_slots from authenticated;
  end if;
end $$;
