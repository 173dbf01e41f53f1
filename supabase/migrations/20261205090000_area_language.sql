-- The AREA language (issue 13): `when:` on the action, and on each reaction its policy (when,
-- for_each, needs, continue_on_error, retry, timeout) as normalized JSON, and whether it is one
-- of the AREA's reactions or one of its `on_failure` reactions. Existing rows keep today's
-- meaning: no condition, phase 'main', and the empty policy, which the loader reads as "needs
-- the reaction above".
alter table area.area_actions
  add column condition text;

alter table area.area_reactions
  add column phase text not null default 'main' check (phase in ('main', 'on_failure')),
  add column policy jsonb not null default '{}'::jsonb;
