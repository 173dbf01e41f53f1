-- Catch-up (issue 16): what a polling hook job does with the slots that fell while the
-- schedulers or the AREA were down (docs/architecture.md, "Claim-based scheduling"). `latest`
-- fires the newest missed slot once, `none` none of them, `all` each one, the newest
-- `catch_up_max` of them. Existing jobs keep firing once after an outage, as they did.
alter table area.hook_jobs
  add column catch_up text not null default 'latest'
    constraint hook_jobs_catch_up_check check (catch_up in ('none', 'latest', 'all')),
  add column catch_up_max integer not null default 1
    constraint hook_jobs_catch_up_max_check check (catch_up_max between 1 and 1000);
