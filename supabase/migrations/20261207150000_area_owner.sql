-- Scoped GitOps (issue 16): an apply may declare an owner (`area apply --owner infra-ci`), a name
-- for the pipeline or person that manages these AREAs. The owner is recorded on each AREA the
-- apply writes; `--prune` then deletes only AREAs of the same owner, and an apply with another
-- owner (or none) cannot change or take them without saying so (--take-ownership). Null: no owner,
-- as every AREA applied before this migration.
alter table area.areas add column owner text;
