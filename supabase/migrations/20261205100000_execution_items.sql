-- The AREA language's for_each (issue 13): one execution_logs row per item of a reaction, beside
-- the reaction's own row (item_index -1, every row before this migration). Effectively-once is
-- now per (event, reaction, item): a retry finds the items that succeeded and skips them.
alter table area.execution_logs
  add column item_index integer not null default -1 check (item_index >= -1);

alter table area.execution_logs
  drop constraint execution_logs_hook_log_id_area_reaction_id_key;

alter table area.execution_logs
  add constraint execution_logs_hook_log_id_area_reaction_id_item_index_key
  unique (hook_log_id, area_reaction_id, item_index);
